namespace Archive.Storage;

/// <summary>
/// Base of an object store that wraps another one (logging, metrics, a policy...): every member forwards to
/// <see cref="InnerStore"/> unless overridden, and <see cref="GetService"/> answers for the decorator itself first and
/// then asks the inner store, so capabilities such as <see cref="IObjectRetentionStore"/> stay reachable through any
/// number of decorators.
/// </summary>
public abstract class DelegatingObjectStore : IObjectStore
{
    /// <summary>Wraps <paramref name="innerStore"/>.</summary>
    protected DelegatingObjectStore(IObjectStore innerStore)
    {
        ArgumentNullException.ThrowIfNull(innerStore);
        InnerStore = innerStore;
    }

    /// <summary>The wrapped store.</summary>
    protected IObjectStore InnerStore { get; }

    /// <inheritdoc />
    public virtual string SystemName => InnerStore.SystemName;

    /// <inheritdoc />
    public virtual string ContainerName => InnerStore.ContainerName;

    /// <inheritdoc />
    public virtual ObjectStoreCapabilities Capabilities => InnerStore.Capabilities;

    /// <inheritdoc />
    public virtual ValueTask<ObjectInfo> PutAsync(string key, Stream content, PutObjectOptions? options = null, CancellationToken cancellationToken = default)
        => InnerStore.PutAsync(key, content, options, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask<ObjectContent?> GetAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default)
        => InnerStore.GetAsync(key, range, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask<ObjectInfo?> StatAsync(string key, CancellationToken cancellationToken = default)
        => InnerStore.StatAsync(key, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask<ObjectListPage> ListPageAsync(string prefix, ObjectListOptions? options = null, CancellationToken cancellationToken = default)
        => InnerStore.ListPageAsync(prefix, options, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken = default)
        => InnerStore.DeleteAsync(key, cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// <see cref="IObjectBatchStore"/> and <see cref="IObjectStagingStore"/> writes bypass <see cref="PutAsync"/>, so they
    /// are passed on only when this decorator does not override <see cref="PutAsync"/> (a decorator that does, and can
    /// batch or stage, implements them itself).
    /// </remarks>
    public virtual object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is null && serviceType.IsInstanceOfType(this))
        {
            return this;
        }

        return (serviceType == typeof(IObjectBatchStore) || serviceType == typeof(IObjectStagingStore)) && OverridesPut() ? null : InnerStore.GetService(serviceType, serviceKey);
    }

    private bool OverridesPut()
        => GetType().GetMethod(nameof(PutAsync), [typeof(string), typeof(Stream), typeof(PutObjectOptions), typeof(CancellationToken)])?.DeclaringType != typeof(DelegatingObjectStore);
}
