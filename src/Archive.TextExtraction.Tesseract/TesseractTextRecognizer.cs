using System.Globalization;
using System.Text;
using Archive.Records;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Archive.TextExtraction.Tesseract;

/// <summary>
/// OCR with the <c>tesseract</c> command-line tool (Debian: <c>tesseract-ocr</c>, <c>tesseract-ocr-vie</c>), run as an
/// external process per page with a timeout: images (PNG, JPEG, TIFF — multi-page TIFF too) directly; image-only PDFs
/// rendered page by page with <c>pdftoppm</c> (<c>poppler-utils</c>) first. The content is streamed to a private
/// temporary folder, deleted afterwards. Missing tools or language models raise
/// <see cref="TextRecognizerUnavailableException"/> (never retried); other failures are ordinary exceptions (retried
/// by the OCR job).
/// </summary>
public sealed partial class TesseractTextRecognizer : ITextRecognizer
{
    /// <summary>How to install the tools on Debian/Ubuntu.</summary>
    public const string InstallHint = "Install them with: apt-get install tesseract-ocr tesseract-ocr-vie poppler-utils.";

    private static readonly Dictionary<string, string> Extensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ["image/png"] = ".png",
        ["image/jpeg"] = ".jpg",
        ["image/tiff"] = ".tif",
        ["application/pdf"] = ".pdf",
    };

    private readonly TesseractOcrOptions _options;
    private readonly SemaphoreSlim _slots;
    private readonly ILogger _logger;

    /// <summary>Creates the recognizer.</summary>
    public TesseractTextRecognizer(TesseractOcrOptions options, ILogger<TesseractTextRecognizer>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = new TesseractOcrOptionsValidator().Validate(null, options);
        if (result.Failed)
        {
            throw new ArchiveValidationException(result.Failures.Select(f => new ValidationError("tesseract", "ocr.options", f)).ToList());
        }

        _options = options;
        _slots = new SemaphoreSlim(options.MaxConcurrency, options.MaxConcurrency);
        _logger = logger ?? NullLogger<TesseractTextRecognizer>.Instance;
    }

    /// <inheritdoc />
    public string Name => "tesseract";

    private string LanguageArgument => string.Join('+', _options.Languages);

    /// <inheritdoc />
    public bool CanRecognize(string mediaType) => mediaType is not null && Extensions.ContainsKey(mediaType);

    /// <inheritdoc />
    public async ValueTask<TextRecognizerAvailability> CheckAvailabilityAsync(CancellationToken cancellationToken = default)
    {
        ProcessResult result;
        try
        {
            result = await ExternalProcess.RunAsync(_options.TesseractPath, ["--list-langs"], _options.ProcessTimeout, InstallHint, cancellationToken).ConfigureAwait(false);
        }
        catch (TextRecognizerUnavailableException ex)
        {
            return new TextRecognizerAvailability(false, ex.Message);
        }
        catch (TimeoutException ex)
        {
            return new TextRecognizerAvailability(false, ex.Message);
        }

        if (result.ExitCode != 0)
        {
            return new TextRecognizerAvailability(false, $"'{_options.TesseractPath} --list-langs' failed (exit {result.ExitCode}): {Tail(result.StandardError)}. {InstallHint}");
        }

        // "List of available languages in ... (3):" then one name per line (stdout, or stderr in older versions).
        var installed = (result.StandardOutput + "\n" + result.StandardError)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => !l.Contains(' ', StringComparison.Ordinal))
            .ToHashSet(StringComparer.Ordinal);
        var missing = _options.Languages.Where(l => !installed.Contains(l)).ToList();
        if (missing.Count > 0)
        {
            return new TextRecognizerAvailability(false,
                $"The Tesseract language model(s) {string.Join(", ", missing.Select(m => "'" + m + "'"))} are not installed (installed: {string.Join(", ", installed.Order(StringComparer.Ordinal))}). "
                + $"Install e.g. tesseract-ocr-{missing[0]} (apt-get install tesseract-ocr-{missing[0]}).");
        }

        return TextRecognizerAvailability.Available;
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<string>> RecognizeAsync(Stream content, string mediaType, IProgress<(int Done, int Total)>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(mediaType);
        if (!Extensions.TryGetValue(mediaType, out var extension))
        {
            throw new ArgumentException($"Tesseract OCR does not read {mediaType}.", nameof(mediaType));
        }

        var work = Path.Combine(_options.TempPath ?? Path.GetTempPath(), "archive-ocr-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        try
        {
            var input = Path.Combine(work, "input" + extension);
            var fs = new FileStream(input, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous);
            await using (fs.ConfigureAwait(false))
            {
                await content.CopyToAsync(fs, 81920, cancellationToken).ConfigureAwait(false);
            }

            if (extension != ".pdf")
            {
                // One process for the image; a multi-page TIFF comes back as pages separated by form feeds.
                progress?.Report((0, 1));
                var pages = await RecognizeImageAsync(input, cancellationToken).ConfigureAwait(false);
                progress?.Report((1, 1));
                return pages;
            }

            var images = await RenderPdfAsync(input, work, cancellationToken).ConfigureAwait(false);
            var texts = new string[images.Count];
            var done = 0;
            progress?.Report((0, images.Count));
            await Parallel.ForEachAsync(
                Enumerable.Range(0, images.Count),
                new ParallelOptions { MaxDegreeOfParallelism = _options.MaxConcurrency, CancellationToken = cancellationToken },
                async (i, ct) =>
                {
                    var pageTexts = await RecognizeImageAsync(images[i], ct).ConfigureAwait(false);
                    texts[i] = string.Join("\n", pageTexts);
                    progress?.Report((Interlocked.Increment(ref done), images.Count));
                }).ConfigureAwait(false);
            return texts;
        }
        finally
        {
            TryDeleteFolder(work);
        }
    }

    private async Task<IReadOnlyList<string>> RecognizeImageAsync(string image, CancellationToken cancellationToken)
    {
        string[] args = [image, "stdout", "-l", LanguageArgument, "--psm", _options.PageSegmentationMode.ToString(CultureInfo.InvariantCulture)];
        var result = await RunLimitedAsync(_options.TesseractPath, args, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            var error = Tail(result.StandardError);
            if (error.Contains("Failed loading language", StringComparison.OrdinalIgnoreCase) || error.Contains("Could not initialize tesseract", StringComparison.OrdinalIgnoreCase))
            {
                throw new TextRecognizerUnavailableException($"Tesseract could not load the language model(s) {LanguageArgument}: {error}. {InstallHint}");
            }

            throw new InvalidOperationException($"tesseract failed (exit {result.ExitCode}) on {Path.GetFileName(image)}: {error}");
        }

        var pages = result.StandardOutput.Split('\f').Select(p => p.Trim().Normalize(NormalizationForm.FormC)).ToList();
        if (pages.Count > 1 && pages[^1].Length == 0)
        {
            pages.RemoveAt(pages.Count - 1);
        }

        return pages;
    }

    private async Task<IReadOnlyList<string>> RenderPdfAsync(string pdf, string work, CancellationToken cancellationToken)
    {
        var prefix = Path.Combine(work, "page");
        string[] args = ["-r", _options.Dpi.ToString(CultureInfo.InvariantCulture), "-gray", "-png", "-f", "1", "-l", _options.MaxPages.ToString(CultureInfo.InvariantCulture), pdf, prefix];
        var result = await RunLimitedAsync(_options.PdfToPpmPath, args, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"pdftoppm failed (exit {result.ExitCode}): {Tail(result.StandardError)}");
        }

        // page-1.png ... or page-01.png ... (zero-padded to the page count's width): order by the number.
        var images = Directory.EnumerateFiles(work, "page-*.png")
            .Select(p => (Path: p, Number: int.Parse(Path.GetFileNameWithoutExtension(p)["page-".Length..], NumberStyles.None, CultureInfo.InvariantCulture)))
            .OrderBy(p => p.Number)
            .Select(p => p.Path)
            .ToList();
        LogRendered(_logger, images.Count);
        return images;
    }

    private async Task<ProcessResult> RunLimitedAsync(string tool, string[] args, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await ExternalProcess.RunAsync(tool, args, _options.ProcessTimeout, InstallHint, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _slots.Release();
        }
    }

    private static string Tail(string text)
    {
        var t = text.Trim();
        return t.Length <= 400 ? t : "…" + t[^400..];
    }

    private void TryDeleteFolder(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (IOException ex)
        {
            LogCleanupFailed(_logger, path, ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            LogCleanupFailed(_logger, path, ex);
        }
    }

    [LoggerMessage(EventId = 7000, EventName = "PagesRendered", Level = LogLevel.Debug, Message = "pdftoppm rendered {Pages} page(s) for OCR.")]
    private static partial void LogRendered(ILogger logger, int pages);

    [LoggerMessage(EventId = 7001, EventName = "WorkFolderCleanupFailed", Level = LogLevel.Warning, Message = "Could not delete the OCR work folder {Path}.")]
    private static partial void LogCleanupFailed(ILogger logger, string path, Exception exception);
}
