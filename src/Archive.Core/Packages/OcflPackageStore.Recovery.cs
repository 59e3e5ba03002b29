using Archive.Storage;

namespace Archive.Packages;

public sealed partial class OcflPackageStore
{
    /// <summary>
    /// Cleans up after crashed commits in the whole storage root: removes unfinished versions beyond each package's
    /// head (and object roots whose first commit never completed) that are older than
    /// <see cref="OcflPackageStoreOptions.AbandonedCommitAge"/>, and rewrites root inventory sidecars left stale by a
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
                        loaded = await LoadAsync(document.Id, objectRoot, cancellationToken).ConfigureAwait(false);
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

                var cleanup = await RemoveUnfinishedVersionsAsync(objectRoot, head, cancellationToken).ConfigureAwait(false);
                report = report with
                {
                    AbandonedVersionsRemoved = report.AbandonedVersionsRemoved + cleanup.Removed,
                    ObjectsDeleted = report.ObjectsDeleted + cleanup.Deleted,
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
    /// Deletes version folders beyond <paramref name="head"/> (unfinished commits) older than the configured age; with
    /// head 0 (never committed) also the object declaration, so the object root disappears. Caller holds the package lock.
    /// </summary>
    private async Task<Cleanup> RemoveUnfinishedVersionsAsync(string objectRoot, int head, CancellationToken cancellationToken)
    {
        var removed = 0;
        var kept = 0;
        var deleted = 0;
        var unfinished = new List<string>();
        await foreach (var folder in ListLevelAsync(objectRoot, null, tuple: false, cancellationToken).ConfigureAwait(false))
        {
            if (OcflInventoryDocument.ParseVersionName(folder[objectRoot.Length..^1]) is { } n && n > head)
            {
                unfinished.Add(folder);
            }
        }

        var threshold = DateTimeOffset.UtcNow - _options.AbandonedCommitAge;
        foreach (var folder in unfinished)
        {
            var keys = new List<ObjectInfo>();
            await foreach (var item in _objects.ListAsync(folder, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                keys.Add(item);
            }

            if (_options.AbandonedCommitAge > TimeSpan.Zero && keys.Any(k => k.LastModified > threshold))
            {
                kept++;
                continue;
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

        if (head == 0 && kept == 0)
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

        return new Cleanup(removed, kept, deleted);
    }
}
