"""The corpus on disk: the article formats (``formats``), loading a folder of
them (``folder``), and changing the folder safely (``files``)."""
