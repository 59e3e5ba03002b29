using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using UglyToad.PdfPig;
using UglyToad.PdfPig.DocumentLayoutAnalysis.TextExtractor;

namespace Archive.Records;

/// <summary>
/// Extracts text page by page (or section by section, sheet by sheet) from a content file at ingest. Register more
/// with <c>services.AddSingleton&lt;IContentTextExtractor, ...&gt;()</c> (the Office, OpenDocument, HTML and plain-text
/// ones: <c>.AddOfficeTextExtraction()</c> in <c>Archive.TextExtraction.Office</c>); the first whose
/// <see cref="CanExtract"/> answers true is used.
/// </summary>
public interface IContentTextExtractor
{
    /// <summary>Whether this extractor reads <paramref name="mediaType"/> (lower case, without parameters).</summary>
    bool CanExtract(string mediaType);

    /// <summary>
    /// Extracts the text of each page (1-based order), or of each section or sheet where the format has no pages
    /// (then <see cref="ExtractedPage.Label"/> names it). <paramref name="content"/> is seekable, positioned at 0, and
    /// must not be disposed. Stops at <see cref="TextExtractionRequest.MaxCharacters"/> and says so
    /// (<see cref="ExtractedText.Truncated"/>). Throws when the content cannot be read (a
    /// <see cref="ContentTextException"/> with a reason for the clerk when it knows why); the caller records the failure
    /// and stores the content all the same.
    /// </summary>
    ValueTask<ExtractedText> ExtractAsync(Stream content, TextExtractionRequest request, CancellationToken cancellationToken = default);
}

/// <summary>What to extract: the content's media type and the most text to keep.</summary>
public sealed record TextExtractionRequest
{
    /// <summary>The content's media type (lower case, without parameters), as stored.</summary>
    public required string MediaType { get; init; }

    /// <summary>Most characters of text to extract from the file (<see cref="Hosting.ArchiveOptions.MaxExtractedTextChars"/>).</summary>
    public int MaxCharacters { get; init; } = Hosting.ArchiveOptions.DefaultMaxExtractedTextChars;
}

/// <summary>The text of a content file, page by page (or section by section).</summary>
public sealed record ExtractedText
{
    /// <summary>Pages or sections in reading order (NFC).</summary>
    public required IReadOnlyList<ExtractedPage> Pages { get; init; }

    /// <summary>True when the text was cut at <see cref="TextExtractionRequest.MaxCharacters"/> (or a section limit of the extractor).</summary>
    public bool Truncated { get; init; }

    /// <summary>Text of numbered pages without labels (e.g. a PDF's).</summary>
    public static ExtractedText FromPages(IEnumerable<string> pages, bool truncated = false)
        => new() { Pages = [.. pages.Select(p => new ExtractedPage(p))], Truncated = truncated };
}

/// <summary>
/// One page of extracted text, or one section where the format has no pages: a sheet of a workbook
/// (<paramref name="Label"/> = the sheet's name), a part of a word-processing document under a heading
/// (the heading) or of a fixed size ("Phần 3").
/// </summary>
/// <param name="Text">The text (NFC).</param>
/// <param name="Label">What the page is when it is not a numbered page (sheet name, heading); null for a page.</param>
[JsonConverter(typeof(ExtractedPageJsonConverter))]
public sealed record ExtractedPage(string Text, string? Label = null);

/// <summary>
/// The derived text file (<c>derived/…/name.pages.json</c>): a JSON array whose elements are either a page's text
/// (a string, the only form written before labels existed and still written for unlabelled pages) or
/// <c>{"label": "...", "text": "..."}</c>.
/// </summary>
internal sealed class ExtractedPageJsonConverter : JsonConverter<ExtractedPage>
{
    public override ExtractedPage Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return new ExtractedPage(reader.GetString()!);
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("A page is a string or an object with text and label.");
        }

        string? text = null, label = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString();
            reader.Read();
            switch (name)
            {
                case "text":
                    text = reader.GetString();
                    break;
                case "label":
                    label = reader.TokenType == JsonTokenType.Null ? null : reader.GetString();
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        return new ExtractedPage(text ?? throw new JsonException("A page object has no text."), label);
    }

    public override void Write(Utf8JsonWriter writer, ExtractedPage value, JsonSerializerOptions options)
    {
        if (value.Label is null)
        {
            writer.WriteStringValue(value.Text);
            return;
        }

        writer.WriteStartObject();
        writer.WriteString("label", value.Label);
        writer.WriteString("text", value.Text);
        writer.WriteEndObject();
    }
}

/// <summary>
/// A content file whose text cannot be extracted, with the reason a clerk reads (Vietnamese), e.g. a damaged file or
/// a ZIP that would expand beyond the limits. The content is stored all the same (<see cref="TextExtractionStatus.Failed"/>).
/// </summary>
public sealed class ContentTextException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ContentTextException()
        : this("Không trích xuất được văn bản của tệp.")
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="reason">Why, for the clerk (Vietnamese).</param>
    public ContentTextException(string reason)
        : base(reason)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="reason">Why, for the clerk (Vietnamese).</param>
    /// <param name="innerException">The parser's exception.</param>
    public ContentTextException(string reason, Exception? innerException)
        : base(reason, innerException)
    {
    }
}

/// <summary>Extracts the text layer of PDF files with PdfPig, in content order, one entry per page (NFC).</summary>
public sealed class PdfTextExtractor : IContentTextExtractor
{
    /// <summary>The PDF media type.</summary>
    public const string PdfMediaType = "application/pdf";

    /// <inheritdoc />
    public bool CanExtract(string mediaType) => string.Equals(mediaType, PdfMediaType, StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc />
    public ValueTask<ExtractedText> ExtractAsync(Stream content, TextExtractionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(request);
        if (!content.CanSeek)
        {
            throw new ArgumentException("PDF text extraction needs a seekable stream.", nameof(content));
        }

        var pages = new List<string>();
        var left = (long)request.MaxCharacters;
        var truncated = false;
        using (var document = PdfDocument.Open(content, new ParsingOptions { UseLenientParsing = true, ClipPaths = false }))
        {
            for (var n = 1; n <= document.NumberOfPages; n++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (left <= 0)
                {
                    truncated = true;
                    break;
                }

                var page = document.GetPage(n);
                var text = ContentOrderTextExtractor.GetText(page).Normalize(NormalizationForm.FormC);
                if (text.Length > left)
                {
                    text = TextLimits.Cut(text, (int)left);
                    truncated = true;
                }

                left -= text.Length;
                pages.Add(text);
            }
        }

        return ValueTask.FromResult(ExtractedText.FromPages(pages, truncated));
    }
}

/// <summary>Cutting extracted text at a character budget without splitting a surrogate pair.</summary>
public static class TextLimits
{
    /// <summary>The first <paramref name="length"/> characters of <paramref name="text"/> (one fewer when that would split a surrogate pair).</summary>
    public static string Cut(string text, int length)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (length >= text.Length)
        {
            return text;
        }

        if (length <= 0)
        {
            return string.Empty;
        }

        if (char.IsHighSurrogate(text[length - 1]))
        {
            length--;
        }

        return text[..length];
    }

    /// <summary>
    /// <paramref name="text"/> cut to at most <paramref name="maxCharacters"/> characters in total (pages after the
    /// budget dropped, the last one cut); <see cref="ExtractedText.Truncated"/> set when anything was cut.
    /// </summary>
    public static ExtractedText Limit(ExtractedText text, int maxCharacters)
    {
        ArgumentNullException.ThrowIfNull(text);
        long total = 0;
        foreach (var p in text.Pages)
        {
            total += p.Text.Length;
        }

        if (total <= maxCharacters)
        {
            return text;
        }

        var pages = new List<ExtractedPage>();
        var left = maxCharacters;
        foreach (var p in text.Pages)
        {
            if (left <= 0)
            {
                break;
            }

            var t = p.Text.Length <= left ? p.Text : Cut(p.Text, left);
            pages.Add(p with { Text = t });
            left -= t.Length;
        }

        return new ExtractedText { Pages = pages, Truncated = true };
    }
}
