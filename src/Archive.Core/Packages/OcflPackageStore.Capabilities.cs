using Archive.Storage;

namespace Archive.Packages;

/// <summary>The OCFL store's optional capabilities (see <see cref="IPackageStore.GetService"/>).</summary>
public sealed partial class OcflPackageStore : IPackagePurger
{
    /// <inheritdoc />
    /// <remarks>
    /// The store itself answers for <see cref="IPackagePurger"/> and for <see cref="OcflPackageStore"/>; the object store
    /// underneath answers for <see cref="IObjectStagingStore"/>, so that content staged through it can be committed with
    /// <see cref="PackageCommit.Put(string, StagedObject, string?)"/> and published in place.
    /// </remarks>
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceType == typeof(IObjectStagingStore))
        {
            return _objects.GetService(serviceType, serviceKey);
        }

        return serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <inheritdoc />
    /// <remarks>
    /// Deletes the root inventory first (so the package is gone at once and a crash leaves only unreferenced objects,
    /// removed by running the purge again), then content and version inventories, the object marker last.
    /// </remarks>
    public async ValueTask<int> PurgeAsync(string packageId, CancellationToken cancellationToken = default)
    {
        var root = GetObjectRoot(packageId);
        var keys = new List<string>();
        await foreach (var item in _objects.ListAsync(root, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            keys.Add(item.Key);
        }

        static int Order(string relative) => relative switch
        {
            InventoryName => 0,
            SidecarName => 1,
            _ when relative.StartsWith("0=", StringComparison.Ordinal) => 4,
            _ when relative.EndsWith("/" + InventoryName, StringComparison.Ordinal) => 3,
            _ => 2,
        };

        var deleted = 0;
        foreach (var key in keys.OrderBy(k => Order(k[root.Length..])).ThenBy(k => k, StringComparer.Ordinal))
        {
            if (await _objects.DeleteAsync(key, cancellationToken).ConfigureAwait(false))
            {
                deleted++;
            }
        }

        return deleted;
    }
}
