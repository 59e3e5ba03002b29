using Archive.Storage;

namespace Archive.Exchange;

/// <summary>
/// A file of an exchange job to download (a package, its seal, a document), read from the archive's object store — so
/// any host serves it. <see cref="Content"/> is seekable: it reads from the store lazily at its position (a ranged read
/// after a seek), so a ranged download reads only the bytes asked for and memory never grows with the file. Dispose it
/// (or its <see cref="Content"/>) when done.
/// </summary>
public sealed class ExchangeFile : IAsyncDisposable
{
    internal ExchangeFile(string name, ObjectInfo info, Stream content)
    {
        Name = name;
        Length = info.Length;
        Sha256 = info.Sha256;
        LastModified = info.LastModified;
        Content = content;
    }

    /// <summary>File name for the download.</summary>
    public string Name { get; }

    /// <summary>Length in bytes.</summary>
    public long Length { get; }

    /// <summary>SHA-256 (hex) recorded by the store, when it has one.</summary>
    public string? Sha256 { get; }

    /// <summary>When the file was written.</summary>
    public DateTimeOffset LastModified { get; }

    /// <summary>The content: seekable, read from the store on demand.</summary>
    public Stream Content { get; }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => Content.DisposeAsync();

    internal static async ValueTask<ExchangeFile?> OpenAsync(IObjectStore objects, string key, string name, CancellationToken cancellationToken)
    {
        var info = await objects.StatAsync(key, cancellationToken).ConfigureAwait(false);
        return info is null ? null : new ExchangeFile(name, info, new ObjectReadStream(objects, key, info.Length));
    }
}

/// <summary>A seekable read-only view of a stored object: each read continues an open (ranged) read, a seek closes it.</summary>
internal sealed class ObjectReadStream(IObjectStore objects, string key, long length) : Stream
{
    private ObjectContent? _open;
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => Seek(value, SeekOrigin.Begin);
    }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_position >= length || buffer.Length == 0)
        {
            return 0;
        }

        _open ??= await objects.GetAsync(key, _position == 0 ? null : new ByteRange(_position), cancellationToken).ConfigureAwait(false)
            ?? throw new IOException($"The stored file '{key}' was removed while it was read.");
        var read = await _open.Stream.ReadAsync(buffer[..(int)Math.Min(buffer.Length, length - _position)], cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            throw new IOException($"The stored file '{key}' ended {length - _position} bytes early.");
        }

        _position += read;
        return read;
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        var target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => length + offset,
        };
        ArgumentOutOfRangeException.ThrowIfNegative(target, nameof(offset));
        if (target != _position)
        {
            _open?.Dispose();
            _open = null;
            _position = target;
        }

        return _position;
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _open?.Dispose();
            _open = null;
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (_open is not null)
        {
            await _open.DisposeAsync().ConfigureAwait(false);
            _open = null;
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }
}
