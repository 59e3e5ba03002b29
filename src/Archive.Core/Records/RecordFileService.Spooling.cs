using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using Archive.IO;
using Archive.Packages;
using Archive.Storage;

namespace Archive.Records;

public sealed partial class RecordFileService
{
    /// <summary>Writes extracted page texts (a JSON array) to a new temporary file, to be committed as derived text.</summary>
    private ValueTask<string> WriteTextTempAsync(IReadOnlyList<string> pages, string tempDir, CancellationToken cancellationToken)
        => WriteTextTempAsync([.. pages.Select(p => new ExtractedPage(p))], tempDir, cancellationToken);

    /// <summary>
    /// Writes extracted pages (a JSON array: a string per unlabelled page, <c>{"label", "text"}</c> per sheet or section)
    /// to a new temporary file, to be committed as derived text, and offers them to the background projection under
    /// the SHA-256 of those bytes (<see cref="Indexing.TextHandOff"/>), so that it need not read them back.
    /// </summary>
    private async ValueTask<string> WriteTextTempAsync(IReadOnlyList<ExtractedPage> pages, string tempDir, CancellationToken cancellationToken)
    {
        var path = Path.Combine(tempDir, "text-" + Guid.NewGuid().ToString("N") + ".json");
        var ts = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 16384, FileOptions.Asynchronous);
        using var sha = _indexer.HandOff.Enabled ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;
        await using (ts.ConfigureAwait(false))
        {
            Stream target = sha is null ? ts : new HashingWriteStream(ts, sha);
            await JsonSerializer.SerializeAsync(target, pages, ArchiveJson.Options, cancellationToken).ConfigureAwait(false);
        }

        if (sha is not null)
        {
            _indexer.HandOff.Offer(Convert.ToHexStringLower(sha.GetHashAndReset()), pages);
        }

        return path;
    }

    /// <summary>
    /// An upload read to its end, hashed and measured, waiting for its commit: staged inside the object store (see
    /// <see cref="SpoolAsync"/>) or spooled to a temporary file. Disposing it removes what is left of it.
    /// </summary>
    private sealed class Spool : IDisposable
    {
        private readonly RecordFileService _owner;
        private readonly string? _path;
        private readonly StagedObject? _staged;

        public Spool(RecordFileService owner, string path, string sha256, long length)
        {
            (_owner, _path, Sha256, Length) = (owner, path, sha256, length);
        }

        public Spool(RecordFileService owner, StagedObject staged)
        {
            (_owner, _staged, Sha256, Length) = (owner, staged, staged.Sha256, staged.Length);
        }

        /// <summary>SHA-256 of the bytes (computed by the store that wrote them, when staged there).</summary>
        public string Sha256 { get; }

        public long Length { get; }

        /// <summary>Opens the bytes for reading (seekable: media-type sniffing and text extraction).</summary>
        public Stream OpenRead() => _staged?.OpenRead() ?? RecordFileService.OpenRead(_path!);

        /// <summary>
        /// Puts the bytes into a commit under <paramref name="logicalPath"/>: staged content is published in place by the
        /// package store (no copy, no second hash), spooled content is read from its temporary file.
        /// </summary>
        public void PutInto(PackageCommit commit, string logicalPath, ICollection<IDisposable> disposables)
        {
            if (_staged is not null)
            {
                commit.Put(logicalPath, _staged, Sha256);
                return;
            }

            var stream = RecordFileService.OpenRead(_path!);
            disposables.Add(stream);
            commit.Put(logicalPath, stream, Sha256);
        }

        public void Dispose()
        {
            if (_staged is not null)
            {
                _staged.Dispose();
            }
            else
            {
                _owner.TryDelete(_path!);
            }
        }
    }

    /// <summary>Spool block size: large blocks, so that hashing one block and writing it overlap (see <see cref="SpoolAsync"/>).</summary>
    private const int SpoolBlockSize = 1 << 20;

    /// <summary>
    /// Reads the upload to its end while hashing and measuring it, refusing more than
    /// <see cref="Hosting.ArchiveOptions.MaxUploadBytes"/>. When the record files' object store can stage content
    /// (<see cref="IObjectStagingStore"/>, the folder store) the bytes are written there, once: the commit later
    /// publishes them under their content key without copying or hashing them again (docs/benchmarks.md, content
    /// ingest). Otherwise (S3) they go to a temporary file in <paramref name="tempDir"/>, and the commit copies them.
    /// </summary>
    private async ValueTask<Spool> SpoolAsync(Stream content, string tempDir, CancellationToken cancellationToken)
    {
        if (_storage.Files.GetService<IObjectStagingStore>() is { } staging)
        {
            var limited = new LimitedReadStream(content, _options.MaxUploadBytes);
            await using (limited.ConfigureAwait(false))
            {
                return new Spool(this, await staging.StageAsync(limited, cancellationToken).ConfigureAwait(false));
            }
        }

        return await SpoolToFileAsync(content, tempDir, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Copies the upload to a temporary file while hashing and measuring it. Each block's write (handed to the thread
    /// pool by the asynchronous file) runs while the same block is hashed, so that on two cores the two can overlap
    /// (docs/benchmarks.md: less CPU, no wall-clock gain measurable on a busy machine). The block is only read by both,
    /// and reused only after both finished.
    /// </summary>
    private async ValueTask<Spool> SpoolToFileAsync(Stream content, string tempDir, CancellationToken cancellationToken)
    {
        var path = Path.Combine(tempDir, "upload-" + Guid.NewGuid().ToString("N") + ".tmp");
        var buffer = ArrayPool<byte>.Shared.Rent(SpoolBlockSize);
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long total = 0;
            var fs = new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 0, Options = FileOptions.Asynchronous });
            await using (fs.ConfigureAwait(false))
            {
                int read;
                while ((read = await content.ReadAtLeastAsync(buffer.AsMemory(0, SpoolBlockSize), SpoolBlockSize, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    total += read;
                    if (total > _options.MaxUploadBytes)
                    {
                        throw new ContentTooLargeException("content", _options.MaxUploadBytes);
                    }

                    var write = fs.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                    hash.AppendData(buffer, 0, read);
                    await write.ConfigureAwait(false);
                }
            }

            return new Spool(this, path, Convert.ToHexStringLower(hash.GetHashAndReset()), total);
        }
        catch
        {
            TryDelete(path);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static FileStream OpenRead(string path) => new(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.Asynchronous | FileOptions.SequentialScan);

    private void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException ex)
        {
            LogTempDeleteFailed(_logger, path, ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            LogTempDeleteFailed(_logger, path, ex);
        }
    }
}
