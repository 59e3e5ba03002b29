using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Archive.Ocr;
using Archive.Packages;
using Archive.Storage;

namespace Archive.Records;

/// <summary>OCR support of <see cref="RecordFileService"/>: the pending flag written at ingest and the result stored by the OCR job.</summary>
public sealed partial class RecordFileService
{
    /// <summary>The user recorded in the package versions that store OCR text.</summary>
    public static readonly ArchiveUser OcrUser = new("archive-ocr");

    /// <summary>Key of the pending-OCR flag of one content file.</summary>
    internal static string OcrFlagKey(string fileCode, int docOrdinal, string name)
    {
        var id = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(docOrdinal.ToString(CultureInfo.InvariantCulture) + "/" + name)))[..32];
        return OcrService.PendingPrefix + fileCode + "/" + id;
    }

    private async ValueTask FlagOcrPendingAsync(string fileCode, int docOrdinal, string name, string sha256, CancellationToken cancellationToken)
    {
        var flag = new OcrPendingFlag { FileCode = fileCode, DocOrdinal = docOrdinal, Name = name, Sha256 = sha256, FlaggedAt = _time.GetUtcNow() };
        var json = JsonSerializer.SerializeToUtf8Bytes(flag, ArchiveJson.Options);
        await _storage.Objects.PutBytesAsync(OcrFlagKey(fileCode, docOrdinal, name), json, new PutObjectOptions { ContentType = "application/json" }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Stores the outcome of OCR for a content file still waiting for it (<see cref="TextExtractionStatus.PendingOcr"/>
    /// with the same name and SHA-256): its status and, when text was recognized, the page texts as the content's
    /// derived text (<see cref="DerivedPath"/>, the same form as text extracted at ingest), in a new package version,
    /// then reindexes the record file. OCR text is a derivative, not a change of the record: it is stored on
    /// accessioned record files and under legal hold too (content and description stay as they were; only the
    /// document's page count is filled in when it was unknown).
    /// </summary>
    /// <returns>False when the content is gone, was replaced, or no longer waits for OCR (nothing changed).</returns>
    public async ValueTask<bool> StoreOcrResultAsync(string fileCode, int docOrdinal, string fileName, string sha256, TextExtractionStatus status, IReadOnlyList<string>? pages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fileCode);
        ArgumentNullException.ThrowIfNull(fileName);
        ArgumentNullException.ThrowIfNull(sha256);
        if (status is not (TextExtractionStatus.Recognized or TextExtractionStatus.RecognizedEmpty or TextExtractionStatus.OcrFailed or TextExtractionStatus.OcrUnavailable))
        {
            throw new ArgumentOutOfRangeException(nameof(status), status, "An OCR outcome is Recognized, RecognizedEmpty, OcrFailed or OcrUnavailable.");
        }

        var hasText = status == TextExtractionStatus.Recognized && pages is not null && pages.Any(p => !string.IsNullOrWhiteSpace(p));
        if (status == TextExtractionStatus.Recognized && !hasText)
        {
            status = TextExtractionStatus.RecognizedEmpty;
        }

        var gate = FileLock(fileCode);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        string? textTemp = null;
        try
        {
            if (hasText)
            {
                var tempDir = _options.ResolveTempPath();
                Directory.CreateDirectory(tempDir);
                textTemp = await WriteTextTempAsync(pages!.Select(p => p.Normalize(NormalizationForm.FormC)).ToList(), tempDir, cancellationToken).ConfigureAwait(false);
            }

            for (var attempt = 1; ; attempt++)
            {
                var current = await _store.GetAsync(fileCode, null, cancellationToken).ConfigureAwait(false);
                var document = current?.Value.Documents.FirstOrDefault(d => d.DocOrdinal == docOrdinal);
                var content = document?.Contents.FirstOrDefault(c => string.Equals(c.Name, fileName, StringComparison.Ordinal));
                if (current is null || document is null || content is null
                    || content.TextStatus != TextExtractionStatus.PendingOcr
                    || !string.Equals(content.Sha256, sha256, StringComparison.Ordinal))
                {
                    return false;
                }

                var textPath = hasText ? DerivedPath(docOrdinal, content.Name) : null;
                var updated = content with { TextStatus = status, TextPath = textPath };
                var pageAmount = document.PageAmount == 0 && hasText ? Math.Min(pages!.Count, 999) : document.PageAmount;
                var nextDocument = document with { Contents = document.Contents.Select(c => ReferenceEquals(c, content) ? updated : c).ToList(), PageAmount = pageAmount };
                var next = Finish(current.Value with { Documents = current.Value.Documents.Select(d => ReferenceEquals(d, document) ? nextDocument : d).ToList() });
                await _projector.BeforeCommitAsync(fileCode, "OCR text committed, projection follows", cancellationToken).ConfigureAwait(false);
                var disposables = new List<IDisposable>();
                Versioned<RecordFile> stored;
                try
                {
                    stored = await _store.CommitAsync(
                        fileCode,
                        next,
                        current.Version,
                        $"OCR of '{content.Name}' in document {docOrdinal} of {fileCode}: {status}",
                        OcrUser,
                        textTemp is null ? null : commit =>
                        {
                            var tsr = OpenRead(textTemp);
                            disposables.Add(tsr);
                            commit.Put(textPath!, tsr);
                        },
                        null,
                        cancellationToken).ConfigureAwait(false);
                }
                catch (ArchivePreconditionFailedException) when (attempt < MaxAttempts)
                {
                    // Another process committed in between: try again on the new head.
                    continue;
                }
                finally
                {
                    foreach (var d in disposables)
                    {
                        d.Dispose();
                    }
                }

                _projector.Committed(fileCode, stored.Version);
                return true;
            }
        }
        finally
        {
            // The flag of a commit that did not happen (or of one that did, a second time: harmless) is reconciled.
            await _projector.NotCommittedAsync(fileCode).ConfigureAwait(false);
            gate.Release();
            if (textTemp is not null)
            {
                TryDelete(textTemp);
            }
        }
    }
}
