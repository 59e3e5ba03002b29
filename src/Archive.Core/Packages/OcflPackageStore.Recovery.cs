using Archive.Storage;

namespace Archive.Packages;

public sealed partial class OcflPackageStore
{
    /// <summary>
    /// Cleans up after crashed commits in the whole storage root: removes unfinished versions beyond each package's
    /// head (and object roots whose first commit never completed) — on a shared storage root
    /// (<see cref="OcflPackageStoreOptions.SharedStorage"/>) only those whose commit lease has expired — and rewrites root inventory sidecars left stale by a
    /// crash right after the commit point. Run it at start-up; it reads every object root, so it is a maintenance
    /// operation, not something to run per request. Commits also clean their own package before writing.
    /// </summary>
    public async ValueTask<PackageRecoveryReport> RecoverAsync(CancellationToken cancellationToken = default)
    {
        var report = new PackageRecoveryReport();
        var corrupt = new List<string>();
        await foreach (var objectRoot in ListObjectRootsAsync(null, cancellationToken).ConfigureAwait(false))
        {
            report = report with { PackagesScanned = report.PackagesScanned + 1 };
            var gate = Lock(objectRoot);
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var bytes = await ReadSmallAsync(objectRoot + InventoryName, cancellationToken).ConfigureAwait(false);
                var document = bytes is null ? null : OcflInventoryDocument.Parse(bytes);
                var head = 0;
                if (bytes is not null)
                {
                    if (document?.Id is null)
                    {
                        corrupt.Add(objectRoot);
                        continue;
                    }

                    LoadedInventory? loaded;
                    try
                    {
                        loaded = await LoadAsync(document.Id, objectRoot, cancellationToken, fromStorage: true).ConfigureAwait(false);
                    }
                    catch (PackageCorruptException)
                    {
                        corrupt.Add(document.Id);
                        continue;
                    }

                    head = loaded!.HeadNumber;
                    if (loaded.SidecarStale)
                    {
                        await WriteSidecarAsync(objectRoot + SidecarName, loaded.Digest, cancellationToken).ConfigureAwait(false);
                        report = report with { InventorySidecarsRepaired = report.InventorySidecarsRepaired + 1 };
                    }
                }

                var cleanup = _options.SharedStorage
                    ? await RemoveAbandonedVersionsAsync(document?.Id ?? objectRoot, objectRoot, head, cancellationToken).ConfigureAwait(false)
                    : await RemoveUnfinishedVersionsAsync(objectRoot, head, cancellationToken).ConfigureAwait(false);
                var journalDeleted = 0;
                if (head > 0)
                {
                    try
                    {
                        journalDeleted = await RecoverJournalAsync(document!.Id, objectRoot, cancellationToken).ConfigureAwait(false);
                    }
                    catch (PackageCorruptException)
                    {
                        corrupt.Add(document!.Id);
                        continue;
                    }
                    catch (PackageConcurrencyException)
                    {
                        // Shared root: another host is committing to this package; its commit settles the journal first.
                    }
                }

                report = report with
                {
                    AbandonedVersionsRemoved = report.AbandonedVersionsRemoved + cleanup.Removed,
                    ObjectsDeleted = report.ObjectsDeleted + cleanup.Deleted + journalDeleted,
                    UnfinishedVersionsKept = report.UnfinishedVersionsKept + cleanup.Kept,
                    UncommittedPackagesRemoved = report.UncommittedPackagesRemoved + (head == 0 && cleanup.Kept == 0 && cleanup.Deleted > 0 ? 1 : 0),
                };
            }
            finally
            {
                gate.Release();
            }
        }

        return report with { CorruptPackages = corrupt };
    }

    private readonly record struct Cleanup(int Removed, int Kept, int Deleted);

    /// <summary>
    /// One writing process: deletes every version folder beyond <paramref name="head"/> (a commit that crashed); with
    /// head 0 (never committed) also the object declaration, so the object root disappears. Caller holds the package lock.
    /// </summary>
    private async Task<Cleanup> RemoveUnfinishedVersionsAsync(string objectRoot, int head, CancellationToken cancellationToken)
    {
        var removed = 0;
        var deleted = 0;
        foreach (var folder in await UnfinishedVersionFoldersAsync(objectRoot, head, cancellationToken).ConfigureAwait(false))
        {
            var keys = new List<ObjectInfo>();
            await foreach (var item in _objects.ListAsync(folder, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                keys.Add(item);
            }

            // The claim (vN/inventory.json) goes last so an interrupted cleanup still marks the version unfinished.
            foreach (var item in keys.OrderBy(k => k.Key == folder + InventoryName ? 1 : 0))
            {
                if (await _objects.DeleteAsync(item.Key, cancellationToken).ConfigureAwait(false))
                {
                    deleted++;
                }
            }

            removed++;
        }

        if (head == 0)
        {
            // A package that never committed: remove whatever else its first attempt left (e.g. the declaration).
            await foreach (var item in _objects.ListAsync(objectRoot, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                if (await _objects.DeleteAsync(item.Key, cancellationToken).ConfigureAwait(false))
                {
                    deleted++;
                }
            }
        }

        return new Cleanup(removed, 0, deleted);
    }

    /// <summary>
    /// Shared storage root: a version folder beyond the head is removed only when its claim's lease has expired, and
    /// then under a new claim taken over from the dead one (so no live writer's folder is touched); a live claim is kept.
    /// </summary>
    private async Task<Cleanup> RemoveAbandonedVersionsAsync(string id, string objectRoot, int head, CancellationToken cancellationToken)
    {
        var removed = 0;
        var kept = 0;
        var deleted = 0;
        foreach (var folder in await UnfinishedVersionFoldersAsync(objectRoot, head, cancellationToken).ConfigureAwait(false))
        {
            var number = OcflInventoryDocument.ParseVersionName(folder[objectRoot.Length..^1])!.Value;
            var state = await ReadClaimStateAsync(folder + InventoryName, cancellationToken).ConfigureAwait(false);
            if (state is { } live && live.Expires + _options.ClockSkew > _time.GetUtcNow())
            {
                kept++;
                continue;
            }

            try
            {
                var claim = await ClaimVersionAsync(id, objectRoot, number, new PackageCommit(), cancellationToken).ConfigureAwait(false);
                await using (claim.ConfigureAwait(false))
                {
                    await claim.StopAsync().ConfigureAwait(false);
                    deleted += claim.LeftoversRemoved + (await _objects.DeleteAsync(folder + InventoryName, cancellationToken).ConfigureAwait(false) ? 1 : 0);
                    removed++;
                }
            }
            catch (PackageConcurrencyException)
            {
                kept++;
            }
        }

        return new Cleanup(removed, kept, deleted);
    }

    private async Task<List<string>> UnfinishedVersionFoldersAsync(string objectRoot, int head, CancellationToken cancellationToken)
    {
        var unfinished = new List<string>();
        await foreach (var folder in ListLevelAsync(objectRoot, null, tuple: false, cancellationToken).ConfigureAwait(false))
        {
            if (OcflInventoryDocument.ParseVersionName(folder[objectRoot.Length..^1]) is { } n && n > head)
            {
                unfinished.Add(folder);
            }
        }

        return unfinished;
    }
}
