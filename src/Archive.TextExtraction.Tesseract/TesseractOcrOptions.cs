using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Archive.TextExtraction.Tesseract;

/// <summary>Settings of the Tesseract recognizer (validated when the host starts).</summary>
public sealed partial class TesseractOcrOptions : IValidatableObject
{
    /// <summary>The <c>tesseract</c> executable: a name looked up on PATH or a full path (default <c>tesseract</c>).</summary>
    public string TesseractPath { get; set; } = "tesseract";

    /// <summary>The <c>pdftoppm</c> executable (poppler-utils) that renders image-only PDF pages (default <c>pdftoppm</c>).</summary>
    public string PdfToPpmPath { get; set; } = "pdftoppm";

    /// <summary>Tesseract language models, most important first (default <c>vie</c>, <c>eng</c>); each must be installed.</summary>
    public IList<string> Languages { get; } = ["vie", "eng"];

    /// <summary>Longest time one external process may run before it is killed (default 5 minutes).</summary>
    public TimeSpan ProcessTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Most pages of one PDF that are recognized (default 500); later pages keep no text.</summary>
    public int MaxPages { get; set; } = 500;

    /// <summary>Most external processes running at once (default 1: OCR is CPU-bound; raise on larger machines).</summary>
    public int MaxConcurrency { get; set; } = 1;

    /// <summary>Resolution PDF pages are rendered at (default 300 dpi).</summary>
    public int Dpi { get; set; } = 300;

    /// <summary>Tesseract page segmentation mode (<c>--psm</c>, default 3: fully automatic).</summary>
    public int PageSegmentationMode { get; set; } = 3;

    /// <summary>Folder for temporary files; the system temp folder when null.</summary>
    public string? TempPath { get; set; }

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(TesseractPath))
        {
            errors.Add("TesseractOcrOptions.TesseractPath is required (e.g. tesseract or /usr/bin/tesseract).");
        }

        if (string.IsNullOrWhiteSpace(PdfToPpmPath))
        {
            errors.Add("TesseractOcrOptions.PdfToPpmPath is required (e.g. pdftoppm).");
        }

        if (Languages.Count == 0)
        {
            errors.Add("TesseractOcrOptions.Languages needs at least one language model (e.g. vie).");
        }

        foreach (var language in Languages)
        {
            if (language is null || !LanguagePattern().IsMatch(language))
            {
                errors.Add($"TesseractOcrOptions.Languages: '{language}' is not a Tesseract language name such as vie, eng or chi_sim.");
            }
        }

        if (ProcessTimeout < TimeSpan.FromSeconds(1) || ProcessTimeout > TimeSpan.FromHours(2))
        {
            errors.Add("TesseractOcrOptions.ProcessTimeout must be between 1 second and 2 hours.");
        }

        if (MaxPages is < 1 or > 100_000)
        {
            errors.Add("TesseractOcrOptions.MaxPages must be between 1 and 100000.");
        }

        if (MaxConcurrency is < 1 or > 64)
        {
            errors.Add("TesseractOcrOptions.MaxConcurrency must be between 1 and 64.");
        }

        if (Dpi is < 72 or > 1200)
        {
            errors.Add("TesseractOcrOptions.Dpi must be between 72 and 1200.");
        }

        if (PageSegmentationMode is < 0 or > 13)
        {
            errors.Add("TesseractOcrOptions.PageSegmentationMode must be between 0 and 13.");
        }

        return errors.Select(e => new ValidationResult(e));
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_]{1,31}$", RegexOptions.CultureInvariant)]
    private static partial Regex LanguagePattern();
}

/// <summary>
/// Checks <see cref="TesseractOcrOptions"/> (source-generated: the rules are
/// <see cref="TesseractOcrOptions.Validate(ValidationContext)"/>); every broken rule is named with its option.
/// </summary>
[OptionsValidator]
internal sealed partial class TesseractOcrOptionsValidator : IValidateOptions<TesseractOcrOptions>
{
}
