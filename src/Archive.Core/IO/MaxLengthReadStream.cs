using Archive.Records;

namespace Archive.IO;

/// <summary>
/// Reads a forward-only stream and throws <see cref="ContentTooLargeException"/> as soon as it yields more than
/// <paramref name="maxLength"/> bytes, so that a writer it feeds (an object store staging the upload) stops without
/// reading the rest of a possibly endless stream. The inner stream stays the caller's to dispose.
/// </summary>
internal sealed class MaxLengthReadStream(Stream inner, long maxLength) : Stream
{
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

    public override int Read(Span<byte> buffer) => Count(inner.Read(buffer));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        => Count(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private int Count(int read)
    {
        _position += read;
        if (_position > maxLength)
        {
            throw new ContentTooLargeException("content", maxLength);
        }

        return read;
    }
}
