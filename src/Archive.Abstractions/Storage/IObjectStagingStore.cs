namespace Archive.Storage;

/// <summary>
/// Capability (through <see cref="IObjectStore.GetService"/>): writes content into the store now, under no key, and
/// publishes it under a key later without copying or hashing it again — for callers that must read the whole content
/// (digest, media type, text extraction) before they know whether and where to store it.
/// </summary>
/// <remarks>
/// <para><b>Staging.</b> <see cref="StageAsync"/> streams the content into the store's private staging area, computes
/// its SHA-256 and length from the bytes it writes, and makes it durable (at the latest before it is published). A
/// staged object is visible under no key, is read back with <see cref="StagedObject.OpenRead"/>, and is discarded by
/// <see cref="IDisposable.Dispose"/>; the store removes staged objects of a process that died (start-up recovery).</para>
/// <para><b>Publishing.</b> <see cref="PublishAsync"/> makes the staged bytes the object under a key, atomically, with
/// the digest the store computed when it wrote them (never one the caller supplies: a supplied
/// <see cref="PutObjectOptions.ExpectedSha256"/> or <see cref="PutObjectOptions.ExpectedLength"/> is only compared and
/// refused with <see cref="ChecksumMismatchException"/> when it differs). The same guarantees as
/// <see cref="IObjectStore.PutAsync"/> hold: create-only, retention and legal hold of a replaced object, durability on
/// return, nothing changed on failure. A staged object may be published more than once (e.g. a commit retried under
/// another key) unless the store says otherwise.</para>
/// <para>Publishing bypasses <see cref="IObjectStore.PutAsync"/>, so a decorator that changes how puts behave must not
/// pass this capability on (<see cref="DelegatingObjectStore"/> passes it on only when the decorator does not
/// override <see cref="DelegatingObjectStore.PutAsync"/>). Stores that cannot stage (S3: an object exists only once
/// uploaded under its key) do not offer it; callers then spool the content themselves and put it.</para>
/// </remarks>
public interface IObjectStagingStore
{
    /// <summary>
    /// Writes <paramref name="content"/> (read to its end, forward only, possibly non-seekable) into the staging area
    /// while hashing it, and makes it durable (at the latest before it is published).
    /// </summary>
    /// <param name="content">The content; exceptions it throws pass through unchanged and nothing stays staged.</param>
    /// <param name="cancellationToken">Cancels the write; nothing stays staged.</param>
    /// <returns>The staged object, owned by the caller (dispose it when done, published or not).</returns>
    /// <exception cref="ArchiveStorageException">The backend failed; nothing stays staged.</exception>
    ValueTask<StagedObject> StageAsync(Stream content, CancellationToken cancellationToken = default);

    /// <summary>Makes a staged object the object under <paramref name="key"/> (see the remarks of <see cref="IObjectStagingStore"/>).</summary>
    /// <param name="staged">An object staged by this store and not disposed.</param>
    /// <param name="key">The object key.</param>
    /// <param name="options">As for <see cref="IObjectStore.PutAsync"/>; expected digest and length are compared with the staged ones.</param>
    /// <param name="cancellationToken">Cancels before the object is published.</param>
    /// <returns>The published object's description, with the staged digest.</returns>
    /// <exception cref="ArgumentException"><paramref name="staged"/> was not staged by this store.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="staged"/> was disposed.</exception>
    /// <exception cref="ChecksumMismatchException">The expected digest or length differs from the staged one, or the staged bytes changed since they were staged; nothing is changed.</exception>
    /// <exception cref="ObjectAlreadyExistsException">Create-only and the key exists.</exception>
    /// <exception cref="ObjectLockedException">Retention or a legal hold protects the object being replaced.</exception>
    ValueTask<ObjectInfo> PublishAsync(StagedObject staged, string key, PutObjectOptions? options = null, CancellationToken cancellationToken = default);
}

/// <summary>
/// Content staged by an <see cref="IObjectStagingStore"/>: its digest and length as the store computed them while
/// writing it. Disposing it discards the staged bytes (objects published from it stay).
/// </summary>
public abstract class StagedObject : IDisposable
{
    /// <summary>Describes staged content.</summary>
    /// <param name="sha256">The SHA-256 the store computed from the bytes it wrote (lower-case hex).</param>
    /// <param name="length">The number of bytes staged.</param>
    protected StagedObject(string sha256, long length)
    {
        ArgumentException.ThrowIfNullOrEmpty(sha256);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Sha256 = sha256;
        Length = length;
    }

    /// <summary>SHA-256 of the staged bytes (lower-case hex), computed by the store while writing them.</summary>
    public string Sha256 { get; }

    /// <summary>Length of the staged bytes.</summary>
    public long Length { get; }

    /// <summary>Opens the staged bytes for reading (seekable); the caller disposes the stream before disposing this object.</summary>
    /// <exception cref="ObjectDisposedException">This object was disposed.</exception>
    public abstract Stream OpenRead();

    /// <summary>Discards the staged bytes.</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Discards the staged bytes (when <paramref name="disposing"/>) and releases what the object holds.</summary>
    protected abstract void Dispose(bool disposing);
}
