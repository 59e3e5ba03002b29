
namespace Archive.Records;

public sealed partial class RecordFileService
{
    /// <summary>Reason recorded when an extractor fails without saying why (Vietnamese: the clerk reads it).</summary>
    internal const string GenericExtractionFailure = "Không đọc được văn bản của tệp: tệp hỏng hoặc không đúng định dạng đã khai báo.";

    private sealed record Extraction(TextExtractionStatus Status, IReadOnlyList<ExtractedPage>? Pages, bool Truncated = false, string? FailureReason = null)
    {
        public ContentFile Apply(ContentFile file) => file with { TextStatus = Status, TextTruncated = Truncated, TextFailureReason = FailureReason };
    }

    private async ValueTask<Extraction> ExtractAsync(Spool spool, string mediaType, string fileCode, string name, CancellationToken cancellationToken)
    {
        var extractor = _options.ExtractText ? _extractors.FirstOrDefault(e => e.CanExtract(mediaType)) : null;
        var ocr = _options.ExtractText && _recognizers.Any(r => r.CanRecognize(mediaType));
        if (extractor is null)
        {
            // Scanned images wait for the background OCR job when a recognizer is registered.
            return new(ocr ? TextExtractionStatus.PendingOcr : TextExtractionStatus.NotApplicable, null);
        }

        try
        {
            // Parsers seek all over a PDF: reading a small one into memory first saves thousands of small reads.
            var fs = spool.Length <= InMemoryExtractionBytes
                ? new MemoryStream(await ReadAllAsync(spool, cancellationToken).ConfigureAwait(false), writable: false)
                : spool.OpenRead();
            await using (fs.ConfigureAwait(false))
            {
                var request = new TextExtractionRequest { MediaType = mediaType, MaxCharacters = _options.MaxExtractedTextChars };
                var text = TextLimits.Limit(await extractor.ExtractAsync(fs, request, cancellationToken).ConfigureAwait(false), _options.MaxExtractedTextChars);
                if (text.Pages.All(p => string.IsNullOrWhiteSpace(p.Text)))
                {
                    // A PDF without a text layer is a scan: OCR it in the background when a recognizer is registered.
                    return new(ocr ? TextExtractionStatus.PendingOcr : TextExtractionStatus.Empty, null);
                }

                return new(TextExtractionStatus.Extracted, text.Pages, text.Truncated);
            }
        }
#pragma warning disable CA1031 // A damaged file is still stored; the failure is recorded on the content file.
        catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
        {
            LogExtractFailed(_logger, fileCode, name, ex);
            return new(TextExtractionStatus.Failed, null, FailureReason: ex is ContentTextException ? ex.Message : GenericExtractionFailure);
        }
    }

    private static async ValueTask<byte[]> ReadAllAsync(Spool spool, CancellationToken cancellationToken)
    {
        var bytes = new byte[spool.Length];
        var stream = spool.OpenRead();
        await using (stream.ConfigureAwait(false))
        {
            await stream.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
        }

        return bytes;
    }
}
