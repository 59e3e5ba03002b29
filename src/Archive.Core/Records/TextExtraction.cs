using System.Text;
using UglyToad.PdfPig;
using UglyToad.PdfPig.DocumentLayoutAnalysis.TextExtractor;

namespace Archive.Records;

/// <summary>
/// Extracts text page by page from a content file at ingest. Register more with
/// <c>services.AddSingleton&lt;IContentTextExtractor, ...&gt;()</c>; the first whose <see cref="CanExtract"/> answers
/// true is used.
/// </summary>
public interface IContentTextExtractor
{
    /// <summary>Whether this extractor reads <paramref name="mediaType"/> (lower case, without parameters).</summary>
    bool CanExtract(string mediaType);

    /// <summary>
    /// Extracts the text of each page (1-based order). <paramref name="content"/> is seekable, positioned at 0, and
    /// must not be disposed. Throws when the content cannot be read; the caller records the failure.
    /// </summary>
    ValueTask<IReadOnlyList<string>> ExtractPagesAsync(Stream content, CancellationToken cancellationToken = default);
}

/// <summary>Extracts the text layer of PDF files with PdfPig, in content order, one entry per page (NFC).</summary>
public sealed class PdfTextExtractor : IContentTextExtractor
{
    /// <summary>The PDF media type.</summary>
    public const string PdfMediaType = "application/pdf";

    /// <inheritdoc />
    public bool CanExtract(string mediaType) => string.Equals(mediaType, PdfMediaType, StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<string>> ExtractPagesAsync(Stream content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (!content.CanSeek)
        {
            throw new ArgumentException("PDF text extraction needs a seekable stream.", nameof(content));
        }

        var pages = new List<string>();
        using (var document = PdfDocument.Open(content, new ParsingOptions { UseLenientParsing = true, ClipPaths = false }))
        {
            for (var n = 1; n <= document.NumberOfPages; n++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var page = document.GetPage(n);
                var text = ContentOrderTextExtractor.GetText(page);
                pages.Add(text.Normalize(NormalizationForm.FormC));
            }
        }

        return ValueTask.FromResult<IReadOnlyList<string>>(pages);
    }
}
