using Archive.Records;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;

namespace Archive.TextExtraction.Office;

/// <summary>
/// Text of DOCX files (Office Open XML word processing): the main document's paragraphs and tables, read forward with
/// <see cref="OpenXmlReader"/>. Split into pages at explicit page breaks when there are any, else into sections under
/// headings (paragraph styles named "heading N" or "Title", or with an outline level; the label is the heading), else
/// into parts of <see cref="OfficeTextExtractionOptions.SectionCharacters"/>.
/// </summary>
public sealed class WordprocessingTextExtractor(OfficeTextExtractionOptions options) : IContentTextExtractor
{
    /// <summary>The DOCX media type.</summary>
    public const string MediaType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

    private readonly OfficeTextExtractionOptions _options = options ?? throw new ArgumentNullException(nameof(options));

    /// <inheritdoc />
    public bool CanExtract(string mediaType) => string.Equals(mediaType, MediaType, StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc />
    public ValueTask<ExtractedText> ExtractAsync(Stream content, TextExtractionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(request);
        ZipGuard.Check(content, _options, "DOCX");
        try
        {
            using var document = WordprocessingDocument.Open(content, false, new OpenSettings { MaxCharactersInPart = _options.MaxUncompressedBytes, AutoSave = false });
            var main = document.MainDocumentPart ?? throw new ContentTextException(string.Format(System.Globalization.CultureInfo.InvariantCulture, ZipGuard.DamagedReason, "DOCX"));
            var headings = HeadingStyles(main.StyleDefinitionsPart);
            var sections = new Sections(request.MaxCharacters, _options.SectionCharacters);
            using (var reader = OpenXmlReader.Create(main))
            {
                while (reader.Read() && !sections.Full)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var type = reader.ElementType;
                    if (reader.IsEndElement)
                    {
                        if (type == typeof(Paragraph))
                        {
                            sections.EndParagraph();
                        }
                        else if (type == typeof(TableCell))
                        {
                            sections.Append('\t');
                        }

                        continue;
                    }

                    if (type == typeof(Text))
                    {
                        sections.Append(reader.GetText());
                    }
                    else if (type == typeof(TabChar))
                    {
                        sections.Append('\t');
                    }
                    else if (type == typeof(Break) || type == typeof(CarriageReturn))
                    {
                        if (Attribute(reader, "type") == "page")
                        {
                            sections.PageBreak();
                        }
                        else
                        {
                            sections.Append('\n');
                        }
                    }
                    else if (type == typeof(PageBreakBefore) && Attribute(reader, "val") is null or "1" or "true" or "on")
                    {
                        sections.PageBreak();
                    }
                    else if (type == typeof(ParagraphStyleId) && Attribute(reader, "val") is { } style && headings.Contains(style))
                    {
                        sections.MarkHeading();
                    }
                    else if (type == typeof(OutlineLevel) && int.TryParse(Attribute(reader, "val"), out var level) && level < 9)
                    {
                        sections.MarkHeading();
                    }

                    // Tracked deletions (w:delText) and field instructions (w:instrText) are other elements: never read.
                }
            }

            return ValueTask.FromResult(sections.Full ? sections.Finish() with { Truncated = true } : sections.Finish());
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw ZipGuard.Failure(ex, "DOCX");
        }
    }

    /// <summary>Ids of the paragraph styles that are headings: named "heading 1".."heading 9" or "Title", or with an outline level.</summary>
    private static HashSet<string> HeadingStyles(StyleDefinitionsPart? styles)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        if (styles is null)
        {
            return ids;
        }

        using var reader = OpenXmlReader.Create(styles);
        string? id = null;
        while (reader.Read())
        {
            if (reader.IsStartElement && reader.ElementType == typeof(Style))
            {
                id = Attribute(reader, "type") is null or "paragraph" ? Attribute(reader, "styleId") : null;
            }
            else if (reader.IsEndElement && reader.ElementType == typeof(Style))
            {
                id = null;
            }
            else if (id is not null && reader.IsStartElement)
            {
                if ((reader.ElementType == typeof(StyleName) && Attribute(reader, "val") is { } name
                        && (name.StartsWith("heading ", StringComparison.OrdinalIgnoreCase) || name.Equals("Title", StringComparison.OrdinalIgnoreCase)))
                    || (reader.ElementType == typeof(OutlineLevel) && int.TryParse(Attribute(reader, "val"), out var level) && level < 9))
                {
                    ids.Add(id);
                }
            }
        }

        return ids;
    }

    private static string? Attribute(OpenXmlReader reader, string localName)
    {
        foreach (var a in reader.Attributes)
        {
            if (a.LocalName == localName)
            {
                return a.Value;
            }
        }

        return null;
    }
}
