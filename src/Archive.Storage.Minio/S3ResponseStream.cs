using System.Buffers;

namespace Archive.Storage.Minio;

/// <summary>The content of a GET: disposes the HTTP response with the stream; optionally skips and limits.</summary>
internal sealed class S3ResponseStream : Stream
{
    private readonly HttpResponseMessage _response;
    private readonly Stream _inner;
    private long _skip;
    private long? _remaining;

    public S3ResponseStream(HttpResponseMessage response, Stream inner, long? limit, long skip)
    {
        _response = response;
        _inner = inner;
        _remaining = limit;
        _skip = skip;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        SkipSync();
        if (_remaining is { } r)
        {
            if (r == 0)
            {
                return 0;
            }

            buffer = buffer[..(int)Math.Min(buffer.Length, r)];
        }

        var n = _inner.Read(buffer);
        _remaining -= n;
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (_skip > 0)
        {
            var scratch = ArrayPool<byte>.Shared.Rent(81920);
            try
            {
                var n = await _inner.ReadAsync(scratch.AsMemory(0, (int)Math.Min(scratch.Length, _skip)), cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    _skip = 0;
                    break;
                }

                _skip -= n;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(scratch);
            }
        }

        if (_remaining is { } r)
        {
            if (r == 0)
            {
                return 0;
            }

            buffer = buffer[..(int)Math.Min(buffer.Length, r)];
        }

        var read = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        _remaining -= read;
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private void SkipSync()
    {
        if (_skip <= 0)
        {
            return;
        }

        var scratch = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            while (_skip > 0)
            {
                var n = _inner.Read(scratch, 0, (int)Math.Min(scratch.Length, _skip));
                if (n == 0)
                {
                    break;
                }

                _skip -= n;
            }

            _skip = 0;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
            _response.Dispose();
        }

        base.Dispose(disposing);
    }
}
