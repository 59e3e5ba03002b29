using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Xml;
using Archive.Records;

namespace Archive.TextExtraction.Office;

/// <summary>
/// Text of OpenDocument files: ODT (paragraphs and headings of <c>content.xml</c>; pages at the page breaks the office
/// suite saved (<c>text:soft-page-break</c>) when there are any, else sections under headings, else parts of fixed size)
/// and ODS (one section per table, labelled with the table's name). <c>content.xml</c> is read forward with an
/// <see cref="XmlReader"/> without DTD processing, through the ZIP limits.
/// </summary>
public sealed class OpenDocumentTextExtractor(OfficeTextExtractionOptions options) : IContentTextExtractor
{
    /// <summary>The ODT media type.</summary>
    public const string TextMediaType = "application/vnd.oasis.opendocument.text";

    /// <summary>The ODS media type.</summary>
    public const string SpreadsheetMediaType = "application/vnd.oasis.opendocument.spreadsheet";

    private const string TextNs = "urn:oasis:names:tc:opendocument:xmlns:text:1.0";
    private const string TableNs = "urn:oasis:names:tc:opendocument:xmlns:table:1.0";
    private const string OfficeNs = "urn:oasis:names:tc:opendocument:xmlns:office:1.0";

    private readonly OfficeTextExtractionOptions _options = options ?? throw new ArgumentNullException(nameof(options));

    /// <inheritdoc />
    public bool CanExtract(string mediaType)
        => string.Equals(mediaType, TextMediaType, StringComparison.OrdinalIgnoreCase) || string.Equals(mediaType, SpreadsheetMediaType, StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc />
    public ValueTask<ExtractedText> ExtractAsync(Stream content, TextExtractionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(request);
        var spreadsheet = string.Equals(request.MediaType, SpreadsheetMediaType, StringComparison.OrdinalIgnoreCase);
        var format = spreadsheet ? "ODS" : "ODT";
        ZipGuard.Check(content, _options, format);
        try
        {
            using var zip = new ZipArchive(content, ZipArchiveMode.Read, leaveOpen: true);
            var entry = zip.GetEntry("content.xml") ?? throw new ContentTextException(string.Format(CultureInfo.InvariantCulture, ZipGuard.DamagedReason, format));
            using var stream = new LimitedReadStream(entry.Open(), Math.Min(entry.Length, _options.MaxUncompressedBytes));
            using var reader = XmlReader.Create(stream, ZipGuard.XmlSettings(_options));
            return ValueTask.FromResult(spreadsheet ? Tables(reader, request.MaxCharacters, cancellationToken) : Text(reader, request.MaxCharacters, cancellationToken));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw ZipGuard.Failure(ex, format);
        }
    }

    private ExtractedText Text(XmlReader reader, int maxCharacters, CancellationToken cancellationToken)
    {
        var sections = new Sections(maxCharacters, _options.SectionCharacters);
        var inBody = false;
        while (reader.Read() && !sections.Full)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (reader.NodeType == XmlNodeType.Element)
            {
                if (reader.NamespaceURI == OfficeNs && reader.LocalName == "text")
                {
                    inBody = true;
                }
                else if (!inBody)
                {
                    continue;
                }
                else if (reader.NamespaceURI == TextNs)
                {
                    switch (reader.LocalName)
                    {
                        case "h":
                            sections.MarkHeading();
                            break;
                        case "s":
                            var c = int.TryParse(reader.GetAttribute("c", TextNs), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? Math.Clamp(n, 1, 100) : 1;
                            sections.Append(new string(' ', c));
                            break;
                        case "tab":
                            sections.Append('\t');
                            break;
                        case "line-break":
                            sections.Append('\n');
                            break;
                        case "soft-page-break":
                            sections.PageBreak();
                            break;
                        case "tracked-changes":
                            SkipElement(reader); // deleted text kept for change tracking is not the document's text
                            break;
                    }
                }
                else if (reader.NamespaceURI == OfficeNs && reader.LocalName == "annotation")
                {
                    SkipElement(reader);
                }
            }
            else if (inBody && reader.NodeType is XmlNodeType.Text or XmlNodeType.SignificantWhitespace or XmlNodeType.CDATA)
            {
                sections.Append(reader.Value);
            }
            else if (inBody && reader.NodeType == XmlNodeType.EndElement && reader.NamespaceURI == TextNs && reader.LocalName is "p" or "h")
            {
                sections.EndParagraph();
            }
        }

        var text = sections.Finish();
        return sections.Full ? text with { Truncated = true } : text;
    }

    private static ExtractedText Tables(XmlReader reader, int maxCharacters, CancellationToken cancellationToken)
    {
        var pages = new List<ExtractedPage>();
        var left = maxCharacters;
        var truncated = false;
        StringBuilder? sheet = null;
        string? name = null;
        var cell = new StringBuilder();
        var rowHasText = false;
        var inCell = false;
        while (reader.Read())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (left <= 0)
            {
                truncated = true;
                break;
            }

            switch (reader.NodeType)
            {
                case XmlNodeType.Element when reader.NamespaceURI == TableNs && reader.LocalName == "table":
                    name = reader.GetAttribute("name", TableNs) ?? Sections.PartLabel(pages.Count + 1);
                    sheet = new StringBuilder();
                    break;
                case XmlNodeType.Element when reader.NamespaceURI == TableNs && reader.LocalName is "table-cell" or "covered-table-cell":
                    // Repeated cells (number-columns-repeated) are read once: a million repeated blanks stay one.
                    cell.Clear();
                    inCell = !reader.IsEmptyElement;
                    break;
                case XmlNodeType.Element when reader.NamespaceURI == OfficeNs && reader.LocalName == "annotation":
                    SkipElement(reader);
                    break;
                case XmlNodeType.Element when inCell && reader.NamespaceURI == TextNs && reader.LocalName == "s":
                    cell.Append(' ');
                    break;
                case XmlNodeType.Text or XmlNodeType.SignificantWhitespace or XmlNodeType.CDATA when inCell:
                    cell.Append(reader.Value);
                    break;
                case XmlNodeType.EndElement when inCell && reader.NamespaceURI == TextNs && reader.LocalName == "p":
                    cell.Append(' ');
                    break;
                case XmlNodeType.EndElement when reader.NamespaceURI == TableNs && reader.LocalName is "table-cell" or "covered-table-cell":
                    inCell = false;
                    var value = cell.ToString().Trim();
                    if (value.Length > 0 && sheet is not null)
                    {
                        Add(sheet, rowHasText ? "\t" + value : value, ref left, ref truncated);
                        rowHasText = true;
                    }

                    break;
                case XmlNodeType.EndElement when reader.NamespaceURI == TableNs && reader.LocalName == "table-row":
                    if (rowHasText && sheet is not null)
                    {
                        Add(sheet, "\n", ref left, ref truncated);
                    }

                    rowHasText = false;
                    break;
                case XmlNodeType.EndElement when reader.NamespaceURI == TableNs && reader.LocalName == "table":
                    pages.Add(new ExtractedPage(sheet!.ToString().TrimEnd('\n').Normalize(NormalizationForm.FormC), Sections.Label(name!)));
                    sheet = null;
                    break;
            }
        }

        if (sheet is not null)
        {
            pages.Add(new ExtractedPage(sheet.ToString().TrimEnd('\n').Normalize(NormalizationForm.FormC), Sections.Label(name!)));
        }

        return new ExtractedText { Pages = pages, Truncated = truncated };
    }

    private static void SkipElement(XmlReader reader)
    {
        if (reader.IsEmptyElement)
        {
            return;
        }

        var depth = reader.Depth;
        while (reader.Read() && !(reader.NodeType == XmlNodeType.EndElement && reader.Depth == depth))
        {
        }
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
