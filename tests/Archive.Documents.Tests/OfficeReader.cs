using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Validation;
using Xunit;
using S = DocumentFormat.OpenXml.Spreadsheet;
using W = DocumentFormat.OpenXml.Wordprocessing;

namespace Archive.Documents.Tests;

/// <summary>Reads generated files back and validates them against the Open XML schemas.</summary>
internal static class OfficeReader
{
    public static void AssertValid(OpenXmlPackage package)
    {
        var errors = new OpenXmlValidator(FileFormatVersions.Microsoft365).Validate(package).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors.Take(20).Select(e => $"{e.Part?.Uri} {e.Path?.XPath}: {e.Description}")));
    }

    /// <summary>The sheet's cells as text, by reference (A1 → text).</summary>
    public static Dictionary<string, string> Cells(Stream xlsx, out SpreadsheetDocument doc)
    {
        doc = SpreadsheetDocument.Open(xlsx, false);
        AssertValid(doc);
        var wb = doc.WorkbookPart!;
        var sheet = wb.WorksheetParts.Single().Worksheet;
        var cells = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var c in sheet.Descendants<S.Cell>())
        {
            cells[c.CellReference!.Value!] = c.DataType?.Value == S.CellValues.InlineString ? c.InlineString!.InnerText : c.CellValue?.Text ?? string.Empty;
        }

        return cells;
    }

    /// <summary>The paragraphs of the body, outside tables.</summary>
    public static List<string> Paragraphs(WordprocessingDocument doc) =>
        doc.MainDocumentPart!.Document!.Body!.Elements<W.Paragraph>().Select(p => p.InnerText).ToList();

    /// <summary>Every table as rows of cell texts.</summary>
    public static List<List<List<string>>> Tables(WordprocessingDocument doc) =>
        doc.MainDocumentPart!.Document!.Body!.Elements<W.Table>()
            .Select(t => t.Elements<W.TableRow>().Select(r => r.Elements<W.TableCell>().Select(c => string.Join("\n", c.Elements<W.Paragraph>().Select(p => p.InnerText))).ToList()).ToList())
            .ToList();

    public static WordprocessingDocument OpenDocx(Stream docx)
    {
        var doc = WordprocessingDocument.Open(docx, false);
        AssertValid(doc);
        return doc;
    }
}
