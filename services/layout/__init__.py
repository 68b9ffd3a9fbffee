"""Source layouts: which table of a source holds which object, and each column's role.

``model`` (the layout as data, JSON, the built-in FST profile), ``readers`` (files,
sheets, folders and zips as :class:`model.RawTables`), ``propose`` (the proposer, every
choice with a confidence and a reason), ``source`` (:class:`source.LayoutSource`: a
confirmed layout applied to raw tables, giving the canonical records the templates read).
"""
