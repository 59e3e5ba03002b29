using System.ComponentModel.DataAnnotations;
using System.Text;
using Microsoft.Extensions.Options;

namespace Archive.TextExtraction.Office;

/// <summary>Limits and settings of the Office, OpenDocument, HTML and plain-text extractors (<c>Archive:TextExtraction:*</c> on the standalone server).</summary>
public sealed class OfficeTextExtractionOptions : IValidatableObject
{
    /// <summary>Most entries a DOCX, XLSX, ODT or ODS (a ZIP) may have (default 10 000); more: the text is not extracted (a ZIP bomb guard).</summary>
    [Range(10, 1_000_000)]
    public int MaxZipEntries { get; set; } = 10_000;

    /// <summary>
    /// Most bytes the entries of one ZIP may expand to, as declared and as read (default 512 MiB); more: the text is not
    /// extracted. Every part is also read through this limit, so an entry that lies about its size is stopped too.
    /// </summary>
    [Range(1L << 20, 1L << 40)]
    public long MaxUncompressedBytes { get; set; } = 512L << 20;

    /// <summary>Highest compression ratio of one ZIP entry larger than 1 MiB (default 200); higher: a ZIP bomb, the text is not extracted.</summary>
    [Range(10, 100_000)]
    public int MaxCompressionRatio { get; set; } = 200;

    /// <summary>
    /// Code page of plain-text and HTML files that are neither marked (byte order mark, HTML charset) nor valid UTF-8
    /// (default 1258, windows-1258: Vietnamese as written by older Windows software; 1252 for Western European).
    /// </summary>
    public int LegacyCodePage { get; set; } = 1258;

    /// <summary>
    /// Size of a section of a document without pages or headings (default 4 000 characters, about two printed pages):
    /// its text is split into "Phần 1", "Phần 2", … at paragraph ends, so a search hit points into the document.
    /// </summary>
    [Range(500, 1_000_000)]
    public int SectionCharacters { get; set; } = 4_000;

    /// <summary>Most bytes of an HTML file that are parsed (default 16 MiB; an HTML document is parsed whole, in memory); the rest is not extracted and the text is marked truncated.</summary>
    [Range(1L << 16, 1L << 30)]
    public long MaxHtmlBytes { get; set; } = 16L << 20;

    /// <summary>The encoding of <see cref="LegacyCodePage"/>.</summary>
    internal Encoding LegacyEncoding() => CodePagesEncodingProvider.Instance.GetEncoding(LegacyCodePage) ?? Encoding.GetEncoding(LegacyCodePage);

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        Encoding? encoding = null;
        try
        {
            encoding = LegacyEncoding();
        }
        catch (ArgumentException)
        {
        }
        catch (NotSupportedException)
        {
        }

        if (encoding is null)
        {
            yield return new ValidationResult($"OfficeTextExtractionOptions.LegacyCodePage {LegacyCodePage} is not a code page of this runtime (e.g. 1258 for Vietnamese, 1252 for Western European).", [nameof(LegacyCodePage)]);
        }
    }
}

/// <summary>Validates <see cref="OfficeTextExtractionOptions"/> (data annotations and <see cref="OfficeTextExtractionOptions.Validate"/>), source-generated.</summary>
[OptionsValidator]
public sealed partial class OfficeTextExtractionOptionsValidator : IValidateOptions<OfficeTextExtractionOptions>
{
}
