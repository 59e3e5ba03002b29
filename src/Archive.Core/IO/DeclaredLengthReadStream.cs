namespace Archive.IO;

/// <summary>
/// Reads a forward-only stream whose length is known in advance (an OCFL inventory's size fixity) and says so: it
/// reports <see cref="CanSeek"/> with that <see cref="Length"/>, so a writer that needs the size before the data (a
/// tar header) can stream it without buffering or seeking back. Content that ends early or runs on past the declared
/// length throws instead of producing a wrong entry; the inner stream is always read to its end, so a verifying
/// inner stream (SHA-256 checked at the end) gets to check. The inner stream stays the caller's to dispose.
/// </summary>
internal sealed class DeclaredLengthReadStream(Stream inner, long length, Func<long, Exception> onWrongLength) : Stream
{
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position
    {
        get => _position;
        set
        {
            if (value != _position)
            {
                throw new NotSupportedException("A declared-length stream is read forward only.");
            }
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        return Account(inner.Read(buffer[..Window(buffer.Length)]));
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        return Account(await inner.ReadAsync(buffer[..Window(buffer.Length)], cancellationToken).ConfigureAwait(false));
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // At the declared end, still ask for (at most) the caller's buffer: a 0 confirms the end (and lets a verifying
    // inner stream check its digest); anything more is content beyond the declared length.
    private int Window(int requested) => _position < length ? (int)Math.Min(requested, length - _position) : requested;

    private int Account(int n)
    {
        if (n == 0 && _position != length)
        {
            throw onWrongLength(_position);
        }

        _position += n;
        if (_position > length)
        {
            throw onWrongLength(_position);
        }

        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        var target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => length + offset,
        };
        Position = target;
        return _position;
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
