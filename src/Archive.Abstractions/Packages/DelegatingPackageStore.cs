using Archive.Storage;

namespace Archive.Packages;

/// <summary>
/// Base of a package store that wraps another one (auditing, logging...): every member forwards to
/// <see cref="InnerStore"/> unless overridden, and <see cref="GetService"/> answers for the decorator itself first and
/// then asks the inner store, so capabilities such as <see cref="IPackagePurger"/> stay reachable through any number
/// of decorators. Recovery and fixity are forwarded too, so a decorator never hides them.
/// </summary>
public abstract class DelegatingPackageStore : IPackageStore
{
    /// <summary>Wraps <paramref name="innerStore"/>.</summary>
    protected DelegatingPackageStore(IPackageStore innerStore)
    {
        ArgumentNullException.ThrowIfNull(innerStore);
        InnerStore = innerStore;
    }

    /// <summary>The wrapped store.</summary>
    protected IPackageStore InnerStore { get; }

    /// <inheritdoc />
    public virtual ValueTask<PackageInventory> CommitAsync(string packageId, PackageCommit commit, CancellationToken cancellationToken = default)
        => InnerStore.CommitAsync(packageId, commit, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask<PackageInventory?> GetInventoryAsync(string packageId, CancellationToken cancellationToken = default)
        => InnerStore.GetInventoryAsync(packageId, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask<ObjectContent?> OpenFileAsync(string packageId, string logicalPath, int? version = null, ByteRange? range = null, CancellationToken cancellationToken = default)
        => InnerStore.OpenFileAsync(packageId, logicalPath, version, range, cancellationToken);

    /// <inheritdoc />
    public virtual IAsyncEnumerable<string> ListPackagesAsync(string? after = null, CancellationToken cancellationToken = default)
        => InnerStore.ListPackagesAsync(after, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask<FixityReport> VerifyAsync(string packageId, CancellationToken cancellationToken = default)
        => InnerStore.VerifyAsync(packageId, cancellationToken);

    /// <inheritdoc />
    public virtual ValueTask<PackageRecoveryReport> RecoverAsync(CancellationToken cancellationToken = default)
        => InnerStore.RecoverAsync(cancellationToken);

    /// <inheritdoc />
    public virtual object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType.IsInstanceOfType(this) ? this : InnerStore.GetService(serviceType, serviceKey);
    }
}
