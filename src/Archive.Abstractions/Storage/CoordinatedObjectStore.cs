namespace Archive.Storage;

/// <summary>
/// Makes <see cref="PutObjectOptions.CreateOnly"/> atomic on a store that cannot give it (e.g. Ceph's gateway, which
/// ignores <c>If-None-Match</c> on versioned and Object Lock buckets) by claiming each create-only key first in a
/// second store that can (e.g. an unversioned bucket): of several writers creating the same key at the same time,
/// exactly one wins the claim and writes; the others get <see cref="ObjectAlreadyExistsException"/> before they write
/// anything.
/// </summary>
/// <remarks>
/// <para>The claim of key <c>K</c> is the object <c>K</c> in the claims store (keep the claims store for this use
/// only, or give it its own prefix with its own decorator). It is written before the object and removed after the
/// object is deleted, so while the object exists its claim does too. A create-only put whose write fails removes its
/// claim again unless the object turns out to exist (a write that landed although its answer was lost).</para>
/// <para>Atomicity holds among create-only writers: a plain put does not claim (the protocols that need a lock —
/// commit claims, audit sequence numbers — create their keys only with create-only puts). The inner store's own
/// create-only check still runs, so a key written before the claims store was introduced is not overwritten either
/// (best effort, as that store gives it).</para>
/// <para>The claims store must honour create-only atomically; this type cannot check that (a probe at start-up can:
/// the S3 provider's <c>CoordinationBucket</c> is checked before the host listens).</para>
/// </remarks>
public sealed class CoordinatedObjectStore : DelegatingObjectStore, IDisposable
{
    private readonly IObjectStore _claims;
    private readonly bool _disposeClaims;

    /// <summary>Creates the decorator.</summary>
    /// <param name="innerStore">The store holding the objects.</param>
    /// <param name="claims">A store whose create-only puts are atomic, for the claims.</param>
    /// <param name="disposeClaims">Dispose <paramref name="claims"/> with this store (the inner store is the host's to dispose).</param>
    public CoordinatedObjectStore(IObjectStore innerStore, IObjectStore claims, bool disposeClaims = false)
        : base(innerStore)
    {
        ArgumentNullException.ThrowIfNull(claims);
        _claims = claims;
        _disposeClaims = disposeClaims;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposeClaims)
        {
            (_claims as IDisposable)?.Dispose();
        }
    }

    /// <summary>The store holding the claims.</summary>
    public IObjectStore Claims => _claims;

    /// <inheritdoc />
    public override ObjectStoreCapabilities Capabilities => InnerStore.Capabilities | ObjectStoreCapabilities.AtomicCreateOnly;

    /// <inheritdoc />
    public override async ValueTask<ObjectInfo> PutAsync(string key, Stream content, PutObjectOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (options is not { CreateOnly: true })
        {
            return await InnerStore.PutAsync(key, content, options, cancellationToken).ConfigureAwait(false);
        }

        key = ObjectKey.Normalize(key);
        try
        {
            await _claims.PutBytesAsync(key, ReadOnlyMemory<byte>.Empty, new PutObjectOptions { CreateOnly = true, ContentType = "application/octet-stream" }, cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectAlreadyExistsException)
        {
            throw new ObjectAlreadyExistsException(InnerStore.SystemName, InnerStore.ContainerName, key);
        }

        try
        {
            return await InnerStore.PutAsync(key, content, options, cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectAlreadyExistsException)
        {
            // The object existed before any claim (written before the claims store was used): keep the claim, it now
            // tells the truth.
            throw;
        }
        catch (Exception)
        {
            await ReleaseUnlessPresentAsync(key).ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc />
    public override async ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        var deleted = await InnerStore.DeleteAsync(key, cancellationToken).ConfigureAwait(false);

        // The claim goes after the object, so that it never is absent while the object exists.
        await _claims.DeleteAsync(key, CancellationToken.None).ConfigureAwait(false);
        return deleted;
    }

    private async Task ReleaseUnlessPresentAsync(string key)
    {
        try
        {
            if (await InnerStore.StatAsync(key, CancellationToken.None).ConfigureAwait(false) is null)
            {
                await _claims.DeleteAsync(key, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (ArchiveException)
        {
            // Unknown whether the write landed: keep the claim (a later create-only of this key then fails, which is
            // the safe answer; deleting the key removes the claim).
        }
    }
}
