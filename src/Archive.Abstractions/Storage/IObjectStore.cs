namespace Archive.Storage;

/// <summary>
/// A flat store of immutable-once-written objects addressed by key (file system, S3, ...).
/// Keys are validated and NFC-normalised by <see cref="ObjectKey.Normalize"/> before use.
/// Content always travels as a <see cref="Stream"/>; no implementation may buffer a whole object in memory.
/// </summary>
/// <remarks>
/// Not found is answered with <see langword="null"/> / <see langword="false"/>; a backend failure with
/// <see cref="ArchiveStorageException"/>; an invalid key with <see cref="ArchiveValidationException"/>.
/// Optional features are capability interfaces (e.g. <see cref="IObjectRetentionStore"/>) obtained through
/// <see cref="GetService"/> (or <see cref="ObjectStoreExtensions.GetService{TService}"/>), which a decorator forwards to
/// the store it wraps (see <see cref="DelegatingObjectStore"/>). What the store guarantees about the core operations is
/// described by <see cref="Capabilities"/>.
/// </remarks>
public interface IObjectStore
{
    /// <summary>Short name of the backing system for errors and logs (e.g. <c>filesystem</c>, <c>s3</c>).</summary>
    string SystemName { get; }

    /// <summary>The container (root folder, bucket) this store writes to, for errors and logs.</summary>
    string ContainerName { get; }

    /// <summary>What this store guarantees beyond the core contract (<see cref="ObjectStoreCapabilities.None"/> for nothing more).</summary>
    ObjectStoreCapabilities Capabilities { get; }

    /// <summary>
    /// Writes an object from a stream that may be non-seekable and of unknown length. The object becomes
    /// visible atomically and only once its content is durably stored and, when
    /// <see cref="PutObjectOptions.ExpectedSha256"/> is given, verified. On a checksum mismatch
    /// <see cref="ChecksumMismatchException"/> is thrown and nothing (not even a previous object under the
    /// same key) is changed.
    /// </summary>
    ValueTask<ObjectInfo> PutAsync(string key, Stream content, PutObjectOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Opens an object for streamed reading, whole or a byte range; <see langword="null"/> when absent.</summary>
    /// <exception cref="ArchiveValidationException">The range starts past the end of the object.</exception>
    ValueTask<ObjectContent?> GetAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default);

    /// <summary>Describes an object without reading it; <see langword="null"/> when absent.</summary>
    ValueTask<ObjectInfo?> StatAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>
    /// One page of the objects whose key starts with <paramref name="prefix"/> (a plain string prefix, not
    /// necessarily a folder), in ordinal key order. With <see cref="ObjectListOptions.Delimited"/>, keys that
    /// continue with a further '/' after the prefix are grouped into <see cref="ObjectListPage.CommonPrefixes"/>
    /// (S3 delimiter semantics). Pass the returned <see cref="ObjectListPage.ContinuationToken"/> in
    /// <see cref="ObjectListOptions.ContinuationToken"/> to get the next page; it is <see langword="null"/> on the last page.
    /// </summary>
    ValueTask<ObjectListPage> ListPageAsync(string prefix, ObjectListOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Deletes an object; <see langword="false"/> when it did not exist.</summary>
    /// <exception cref="ObjectLockedException">Retention or a legal hold protects the object.</exception>
    ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Asks for an optional capability (e.g. <see cref="IObjectRetentionStore"/>) or an object of a given type: the
    /// store itself when it is a <paramref name="serviceType"/>, something it holds, or <see langword="null"/>. A
    /// decorator answers for itself first and then forwards to the store it wraps.
    /// </summary>
    /// <param name="serviceType">The type asked for.</param>
    /// <param name="serviceKey">An optional key; a store that does not know it answers <see langword="null"/>.</param>
    /// <returns>The object, or <see langword="null"/> when the store has none.</returns>
    object? GetService(Type serviceType, object? serviceKey = null);
}
