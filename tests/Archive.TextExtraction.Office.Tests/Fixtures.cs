using System.IO.Compression;
using System.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using W = DocumentFormat.OpenXml.Wordprocessing;
using S = DocumentFormat.OpenXml.Spreadsheet;

namespace Archive.TextExtraction.Office.Tests;

/// <summary>Small real files built at test time: DOCX and XLSX with the Open XML SDK, ODT and ODS as ZIPs, bombs and damaged files.</summary>
public static class Fixtures
{
    /// <summary>A DOCX; a paragraph "#Heading" becomes a Heading1 paragraph, "\f" a page break.</summary>
    public static byte[] Docx(params string[] paragraphs)
    {
        using var ms = new MemoryStream();
        using (var doc = WordprocessingDocument.Create(ms, WordprocessingDocumentType.Document))
        {
            var main = doc.AddMainDocumentPart();
            var styles = main.AddNewPart<StyleDefinitionsPart>();
            styles.Styles = new W.Styles(new W.Style(new W.StyleName { Val = "heading 1" }) { Type = W.StyleValues.Paragraph, StyleId = "Heading1" });
            var body = new W.Body();
            foreach (var p in paragraphs)
            {
                if (p == "\f")
                {
                    body.Append(new W.Paragraph(new W.Run(new W.Break { Type = W.BreakValues.Page })));
                }
                else if (p.StartsWith('#'))
                {
                    body.Append(new W.Paragraph(new W.ParagraphProperties(new W.ParagraphStyleId { Val = "Heading1" }), new W.Run(new W.Text(p[1..]))));
                }
                else
                {
                    body.Append(new W.Paragraph(new W.Run(new W.Text(p) { Space = SpaceProcessingModeValues.Preserve })));
                }
            }

            main.Document = new W.Document(body);
        }

        return ms.ToArray();
    }

    /// <summary>An XLSX with the given sheets (name → rows of cells); text cells as shared strings, numbers as numbers.</summary>
    public static byte[] Xlsx(params (string Name, string[][] Rows)[] sheets)
    {
        using var ms = new MemoryStream();
        using (var doc = SpreadsheetDocument.Create(ms, SpreadsheetDocumentType.Workbook))
        {
            var wb = doc.AddWorkbookPart();
            wb.Workbook = new S.Workbook(new S.Sheets());
            var sst = wb.AddNewPart<SharedStringTablePart>();
            sst.SharedStringTable = new S.SharedStringTable();
            var index = new Dictionary<string, int>();
            uint id = 1;
            foreach (var (name, rows) in sheets)
            {
                var ws = wb.AddNewPart<WorksheetPart>();
                var data = new S.SheetData();
                foreach (var row in rows)
                {
                    var r = new S.Row();
                    foreach (var cell in row)
                    {
                        if (double.TryParse(cell, System.Globalization.CultureInfo.InvariantCulture, out _))
                        {
                            r.Append(new S.Cell { CellValue = new S.CellValue(cell), DataType = S.CellValues.Number });
                        }
                        else
                        {
                            if (!index.TryGetValue(cell, out var i))
                            {
                                i = index[cell] = index.Count;
                                sst.SharedStringTable.Append(new S.SharedStringItem(new S.Text(cell)));
                            }

                            r.Append(new S.Cell { CellValue = new S.CellValue(i.ToString(System.Globalization.CultureInfo.InvariantCulture)), DataType = S.CellValues.SharedString });
                        }
                    }

                    data.Append(r);
                }

                ws.Worksheet = new S.Worksheet(data);
                wb.Workbook.Sheets!.Append(new S.Sheet { Name = name, SheetId = id++, Id = wb.GetIdOfPart(ws) });
            }
        }

        return ms.ToArray();
    }

    /// <summary>An ODT: "#Heading" → text:h, "\f" → a soft page break.</summary>
    public static byte[] Odt(params string[] paragraphs)
    {
        var body = new StringBuilder();
        foreach (var p in paragraphs)
        {
            body.Append(p == "\f" ? "<text:soft-page-break/>" : p.StartsWith('#') ? $"<text:h text:outline-level=\"1\">{Esc(p[1..])}</text:h>" : $"<text:p>{Esc(p)}</text:p>");
        }

        return Odf("application/vnd.oasis.opendocument.text", $"<office:body><office:text>{body}</office:text></office:body>");
    }

    /// <summary>An ODS with the given tables.</summary>
    public static byte[] Ods(params (string Name, string[][] Rows)[] tables)
    {
        var body = new StringBuilder("<office:body><office:spreadsheet>");
        foreach (var (name, rows) in tables)
        {
            body.Append($"<table:table table:name=\"{Esc(name)}\">");
            foreach (var row in rows)
            {
                body.Append("<table:table-row>");
                foreach (var cell in row)
                {
                    body.Append($"<table:table-cell office:value-type=\"string\"><text:p>{Esc(cell)}</text:p></table:table-cell>");
                }

                body.Append("<table:table-cell table:number-columns-repeated=\"1000000\"/></table:table-row>");
            }

            body.Append("</table:table>");
        }

        body.Append("</office:spreadsheet></office:body>");
        return Odf("application/vnd.oasis.opendocument.spreadsheet", body.ToString());
    }

    /// <summary>An OpenDocument ZIP: the stored <c>mimetype</c> first, then <c>content.xml</c> (optionally with a prolog such as a DTD).</summary>
    public static byte[] Odf(string mimeType, string body, string prolog = "")
    {
        var xml = $"<?xml version=\"1.0\" encoding=\"UTF-8\"?>{prolog}<office:document-content xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" office:version=\"1.3\">{body}</office:document-content>";
        return Zip(("mimetype", Encoding.ASCII.GetBytes(mimeType), CompressionLevel.NoCompression), ("content.xml", Encoding.UTF8.GetBytes(xml), CompressionLevel.Optimal));
    }

    /// <summary>A ZIP of the given entries, in order.</summary>
    public static byte[] Zip(params (string Name, byte[] Data, CompressionLevel Level)[] entries)
    {
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, data, level) in entries)
            {
                using var s = zip.CreateEntry(name, level).Open();
                s.Write(data);
            }
        }

        return ms.ToArray();
    }

    /// <summary>A DOCX whose document part is replaced by <paramref name="documentXml"/> (e.g. with a DTD, or 100 MB of zeros).</summary>
    public static byte[] DocxWithDocumentPart(byte[] documentXml)
    {
        var docx = Docx("x");
        using var ms = new MemoryStream();
        ms.Write(docx);
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Update, leaveOpen: true))
        {
            zip.GetEntry("word/document.xml")!.Delete();
            using var s = zip.CreateEntry("word/document.xml", CompressionLevel.SmallestSize).Open();
            s.Write(documentXml);
        }

        return ms.ToArray();
    }

    private static string Esc(string s) => System.Security.SecurityElement.Escape(s);
}
