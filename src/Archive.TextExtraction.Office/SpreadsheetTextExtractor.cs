using System.Globalization;
using System.Text;
using Archive.Records;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace Archive.TextExtraction.Office;

/// <summary>
/// Text of XLSX workbooks: one section per worksheet, labelled with the sheet's name, rows on lines and cells separated
/// by tabs (shared strings, inline strings, numbers and formula results as stored). Shared strings and sheets are read
/// forward with <see cref="OpenXmlReader"/>; the shared strings kept are bounded by the same character budget.
/// </summary>
public sealed class SpreadsheetTextExtractor(OfficeTextExtractionOptions options) : IContentTextExtractor
{
    /// <summary>The XLSX media type.</summary>
    public const string MediaType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    private readonly OfficeTextExtractionOptions _options = options ?? throw new ArgumentNullException(nameof(options));

    /// <inheritdoc />
    public bool CanExtract(string mediaType) => string.Equals(mediaType, MediaType, StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc />
    public ValueTask<ExtractedText> ExtractAsync(Stream content, TextExtractionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(request);
        ZipGuard.Check(content, _options, "XLSX");
        try
        {
            using var document = SpreadsheetDocument.Open(content, false, new OpenSettings { MaxCharactersInPart = _options.MaxUncompressedBytes, AutoSave = false });
            var workbook = document.WorkbookPart ?? throw new ContentTextException(string.Format(CultureInfo.InvariantCulture, ZipGuard.DamagedReason, "XLSX"));
            var truncated = false;
            var shared = SharedStrings(workbook.SharedStringTablePart, request.MaxCharacters, ref truncated, cancellationToken);
            var pages = new List<ExtractedPage>();
            var left = request.MaxCharacters;
            foreach (var (name, id) in Sheets(workbook))
            {
                if (left <= 0)
                {
                    truncated = true;
                    break;
                }

                if (workbook.GetPartById(id) is not WorksheetPart sheet)
                {
                    continue; // chart sheets and dialog sheets hold no cell text
                }

                var text = SheetText(sheet, shared, ref left, ref truncated, cancellationToken);
                pages.Add(new ExtractedPage(text.Normalize(NormalizationForm.FormC), Sections.Label(name)));
            }

            return ValueTask.FromResult(new ExtractedText { Pages = pages, Truncated = truncated });
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw ZipGuard.Failure(ex, "XLSX");
        }
    }

    private static List<(string Name, string Id)> Sheets(WorkbookPart workbook)
    {
        var sheets = new List<(string, string)>();
        using var reader = OpenXmlReader.Create(workbook);
        while (reader.Read())
        {
            if (reader.IsStartElement && reader.ElementType == typeof(Sheet))
            {
                string? name = null, id = null;
                foreach (var a in reader.Attributes)
                {
                    if (a.LocalName == "name")
                    {
                        name = a.Value;
                    }
                    else if (a.LocalName == "id")
                    {
                        id = a.Value;
                    }
                }

                if (name is not null && id is not null)
                {
                    sheets.Add((name, id));
                }
            }
        }

        return sheets;
    }

    /// <summary>The shared strings in order, read forward; once the budget is spent the rest are kept empty (and the text is marked truncated).</summary>
    private static List<string> SharedStrings(SharedStringTablePart? part, int budget, ref bool truncated, CancellationToken cancellationToken)
    {
        var strings = new List<string>();
        if (part is null)
        {
            return strings;
        }

        using var reader = OpenXmlReader.Create(part);
        var item = new StringBuilder();
        var phonetic = false;
        while (reader.Read())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var type = reader.ElementType;
            if (type == typeof(SharedStringItem))
            {
                if (reader.IsStartElement)
                {
                    item.Clear();
                }
                else
                {
                    var s = budget > 0 ? TextLimits.Cut(item.ToString(), budget) : string.Empty;
                    truncated |= s.Length < item.Length;
                    budget -= Math.Max(1, s.Length); // every item costs at least one: the list itself stays bounded
                    strings.Add(s);
                }
            }
            else if (type == typeof(PhoneticRun))
            {
                phonetic = reader.IsStartElement; // furigana-style reading aids repeat the text
            }
            else if (type == typeof(Text) && reader.IsStartElement && budget > 0 && !phonetic)
            {
                item.Append(reader.GetText());
            }

            if (budget <= 0 && strings.Count > 0 && reader.IsEndElement && type == typeof(SharedStringItem))
            {
                truncated = true;
                break;
            }
        }

        return strings;
    }

    private static string SheetText(WorksheetPart sheet, List<string> shared, ref int left, ref bool truncated, CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        using var reader = OpenXmlReader.Create(sheet);
        string? cellType = null;
        string? value = null;
        StringBuilder? inline = null;
        var rowHasText = false;
        while (reader.Read())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var type = reader.ElementType;
            if (type == typeof(Row) && reader.IsEndElement && rowHasText)
            {
                Add(text, "\n", ref left, ref truncated);
                rowHasText = false;
            }
            else if (type == typeof(Cell))
            {
                if (reader.IsStartElement)
                {
                    cellType = null;
                    value = null;
                    inline = null;
                    foreach (var a in reader.Attributes)
                    {
                        if (a.LocalName == "t")
                        {
                            cellType = a.Value;
                        }
                    }
                }
                else
                {
                    var cell = cellType switch
                    {
                        "s" => int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) && i >= 0 && i < shared.Count ? shared[i] : null,
                        "inlineStr" => inline?.ToString(),
                        "b" => value == "1" ? "TRUE" : value == "0" ? "FALSE" : value,
                        _ => value,
                    };
                    if (!string.IsNullOrEmpty(cell))
                    {
                        Add(text, rowHasText ? "\t" + cell : cell, ref left, ref truncated);
                        rowHasText = true;
                    }
                }
            }
            else if (type == typeof(CellValue) && reader.IsStartElement)
            {
                value = reader.GetText();
            }
            else if (type == typeof(Text) && reader.IsStartElement && cellType == "inlineStr")
            {
                (inline ??= new StringBuilder()).Append(reader.GetText());
            }

            // A formula (f) is not text of the sheet; its cached value (v) is.

            if (left <= 0)
            {
                truncated = true;
                break;
            }
        }

        return text.ToString().TrimEnd('\n');
    }

    private static void Add(StringBuilder text, string s, ref int left, ref bool truncated)
    {
        if (s.Length > left)
        {
            s = TextLimits.Cut(s, left);
            truncated = true;
        }

        text.Append(s);
        left -= s.Length;
    }
}
