using Archive.Records;

namespace Archive.IO;

/// <summary>
/// A forward-only view of a stream that throws <see cref="ContentTooLargeException"/> (naming <paramref name="field"/>)
/// as soon as it yields more than <paramref name="maxLength"/> bytes, so that an oversized upload is refused while it
/// streams and a writer it feeds (an object store staging the upload) stops without reading the rest of a possibly
/// endless stream. The inner stream stays the caller's to dispose.
/// </summary>
/// <param name="inner">The stream read through.</param>
/// <param name="maxLength">The most bytes it may yield.</param>
/// <param name="field">The field named by the refusal (e.g. <c>content</c>).</param>
public sealed class LimitedReadStream(Stream inner, long maxLength, string field = "content") : Stream
{
    private long _position;

    /// <inheritdoc />
    public override bool CanRead => true;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override bool CanWrite => false;

    /// <inheritdoc />
    public override long Length => throw new NotSupportedException();

    /// <summary>The bytes read so far.</summary>
    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

    /// <inheritdoc />
    public override int Read(Span<byte> buffer) => Count(inner.Read(buffer));

    /// <inheritdoc />
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        => Count(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override void Flush()
    {
    }

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private int Count(int read)
    {
        _position += read;
        if (_position > maxLength)
        {
            throw new ContentTooLargeException(field, maxLength);
        }

        return read;
    }
}
