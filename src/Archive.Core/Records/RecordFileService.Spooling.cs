using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;

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

    /// <summary>Writes through to <paramref name="inner"/> (not disposed here) and hashes what is written.</summary>
    private sealed class HashingWriteStream(Stream inner, IncrementalHash hash) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            hash.AppendData(buffer);
            inner.Write(buffer);
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            hash.AppendData(buffer.Span);
            return inner.WriteAsync(buffer, cancellationToken);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }

    private sealed record Spool(string Path, string Sha256, long Length);

    /// <summary>Spool block size: large blocks, so that hashing one block and writing it overlap (see <see cref="SpoolAsync"/>).</summary>
    private const int SpoolBlockSize = 1 << 20;

    /// <summary>
    /// Copies the upload to a temporary file while hashing and measuring it. Each block's write (handed to the thread
    /// pool by the asynchronous file) runs while the same block is hashed, so that on two cores the two can overlap
    /// (docs/benchmarks.md: less CPU, no wall-clock gain measurable on a busy machine). The block is only read by both,
    /// and reused only after both finished.
    /// </summary>
    private async ValueTask<Spool> SpoolAsync(Stream content, string tempDir, CancellationToken cancellationToken)
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

            return new Spool(path, Convert.ToHexStringLower(hash.GetHashAndReset()), total);
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
