
namespace Archive.Records;

public sealed partial class RecordFileService
{
    private async ValueTask<(TextExtractionStatus Status, IReadOnlyList<string>? Pages)> ExtractAsync(string path, string mediaType, string fileCode, string name, CancellationToken cancellationToken)
    {
        var extractor = _options.ExtractText ? _extractors.FirstOrDefault(e => e.CanExtract(mediaType)) : null;
        var ocr = _options.ExtractText && _recognizers.Any(r => r.CanRecognize(mediaType));
        if (extractor is null)
        {
            // Scanned images wait for the background OCR job when a recognizer is registered.
            return (ocr ? TextExtractionStatus.PendingOcr : TextExtractionStatus.NotApplicable, null);
        }

        try
        {
            // Parsers seek all over a PDF: reading a small one into memory first saves thousands of small reads.
            var length = new FileInfo(path).Length;
            var fs = length <= InMemoryExtractionBytes
                ? new MemoryStream(await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false), writable: false)
                : (Stream)new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 65536, FileOptions.RandomAccess);
            await using (fs.ConfigureAwait(false))
            {
                var pages = await extractor.ExtractPagesAsync(fs, cancellationToken).ConfigureAwait(false);
                if (pages.All(string.IsNullOrWhiteSpace))
                {
                    // A PDF without a text layer is a scan: OCR it in the background when a recognizer is registered.
                    return (ocr ? TextExtractionStatus.PendingOcr : TextExtractionStatus.Empty, null);
                }

                return (TextExtractionStatus.Extracted, pages);
            }
        }
#pragma warning disable CA1031 // A damaged file is still stored; the failure is recorded on the content file.
        catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
        {
            LogExtractFailed(_logger, fileCode, name, ex);
            return (TextExtractionStatus.Failed, null);
        }
    }
}
