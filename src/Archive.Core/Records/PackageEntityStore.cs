using Archive.Packages;

namespace Archive.Records;

/// <summary>Reads and writes one JSON entity per package at <c>metadata/&lt;name&gt;.json</c>, with version history.</summary>
internal sealed class PackageEntityStore<T>
    where T : class
{
    private readonly IPackageStore _store;

    public PackageEntityStore(IPackageStore store, string entity, string metadataPath)
    {
        _store = store;
        Entity = entity;
        MetadataPath = metadataPath;
    }

    public string Entity { get; }

    public string MetadataPath { get; }

    public IPackageStore Packages => _store;

    /// <summary>The entity at <paramref name="version"/> (head when null); null when the package or version does not exist.</summary>
    public async ValueTask<Versioned<T>?> GetAsync(string id, int? version, CancellationToken cancellationToken)
    {
        var inventory = await _store.GetInventoryAsync(id, cancellationToken).ConfigureAwait(false);
        if (inventory is null)
        {
            return null;
        }

        return await ReadAsync(inventory, version, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<Versioned<T>?> ReadAsync(PackageInventory inventory, int? version, CancellationToken cancellationToken)
    {
        var number = version ?? inventory.Head;
        if (number < 1 || number > inventory.Head)
        {
            return null;
        }

        var content = await _store.OpenFileAsync(inventory.PackageId, MetadataPath, number, null, cancellationToken).ConfigureAwait(false);
        if (content is null)
        {
            return null;
        }

        T value;
        await using (content.ConfigureAwait(false))
        {
            value = await ArchiveJson.DeserializeAsync<T>(content.Stream, $"{Entity} '{inventory.PackageId}' v{number} {MetadataPath}", cancellationToken).ConfigureAwait(false);
        }

        var v = inventory.Versions[number - 1];
        return new Versioned<T>
        {
            Value = value,
            Version = number,
            HeadVersion = inventory.Head,
            InventoryDigest = inventory.InventoryDigest,
            Modified = v.Created,
            ModifiedBy = v.UserName,
        };
    }

    public async ValueTask<IReadOnlyList<VersionInfo>?> HistoryAsync(string id, CancellationToken cancellationToken)
    {
        var inventory = await _store.GetInventoryAsync(id, cancellationToken).ConfigureAwait(false);
        return inventory?.Versions.Select(VersionInfo.From).ToList();
    }

    /// <summary>
    /// Commits <paramref name="value"/> (plus <paramref name="extra"/> changes) on top of <paramref name="expectedHead"/>
    /// (0 = create). Maps a lost race to <see cref="ArchiveConflictException"/> (create) or
    /// <see cref="ArchivePreconditionFailedException"/> (update).
    /// </summary>
    public async ValueTask<Versioned<T>> CommitAsync(string id, T value, int expectedHead, string message, ArchiveUser user, Action<PackageCommit>? extra, DateTimeOffset? created, CancellationToken cancellationToken)
    {
        using var json = new MemoryStream(ArchiveJson.Serialize(value), writable: false);
        var commit = new PackageCommit
        {
            ExpectedHead = expectedHead,
            Message = message,
            UserName = user.Name,
            UserAddress = user.Address,
            Created = created,
        };
        extra?.Invoke(commit);
        commit.Put(MetadataPath, json);
        PackageInventory inventory;
        try
        {
            inventory = await _store.CommitAsync(id, commit, cancellationToken).ConfigureAwait(false);
        }
        catch (PackageConcurrencyException ex) when (expectedHead == 0)
        {
            throw new ArchiveConflictException(Entity, id, ConflictRules.AlreadyExists, $"{Entity} '{id}' already exists.", ex);
        }
        catch (PackageConcurrencyException ex)
        {
            throw new ArchivePreconditionFailedException(Entity, id, expectedHead, ex.ActualHead, ex);
        }

        return new Versioned<T>
        {
            Value = value,
            Version = inventory.Head,
            HeadVersion = inventory.Head,
            InventoryDigest = inventory.InventoryDigest,
            Modified = inventory.HeadVersion.Created,
            ModifiedBy = inventory.HeadVersion.UserName,
        };
    }

    /// <summary>Every entity at its head version, in package-id order (optionally starting after <paramref name="after"/>).</summary>
    public async IAsyncEnumerable<Versioned<T>> ListAsync(string? after, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var id in _store.ListPackagesAsync(after, cancellationToken).ConfigureAwait(false))
        {
            var item = await GetAsync(id, null, cancellationToken).ConfigureAwait(false);
            if (item is not null)
            {
                yield return item;
            }
        }
    }
}
