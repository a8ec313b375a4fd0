"""Stage 2, data: what a site is given, read and checked. Dataset files (any format, local
or by URL) into raw rows, mapped to sitegen's fields and validated into Locations; the cell
parsers (hours, phones, places); masking and anonymised samples; Markdown and HTML
sanitising of the texts a site is given."""
