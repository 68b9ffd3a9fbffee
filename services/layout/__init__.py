"""Source layouts: which table of a source holds which object, and each column's role.

The data: ``model`` (the layout, its JSON, the built-in FST profile).
Reading: ``readers`` (files, folders, zips as :class:`model.RawTables`), ``sheets``
(XLSX/XLS as the text a user sees), ``rest_tables`` (a REST source's endpoints as raw
tables of text).
Discovering: ``discover`` (the proposed layout of any source kind: bundle, FST REST —
the adapter's own JSON is the known profile ``fst_rest`` —, Dispatch).
Proposing: ``propose`` (tables → objects, the driver), ``vocabulary`` (the English words
of exports), ``stats`` (sampled column statistics and value conventions), ``columns``
(column roles and the record key), ``sketches`` (bounded value sketches, links by value
overlap), ``find_attachments`` (manifest, path column or per-record folders).
Applying: ``source`` (:class:`source.LayoutSource`: a confirmed layout over raw tables,
giving the canonical records the templates read), ``values`` (dates, amounts, yes/no to
canonical text), ``links`` (links by natural keys; ambiguous or missing → a link
problem), ``attachments`` (synthesised attachment records), ``custom`` (custom columns).
"""
