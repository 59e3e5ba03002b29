namespace Archive.Storage.FileSystem;

public sealed partial class FileSystemObjectStore
{
    /// <summary>
    /// Repairs what crashed writers left behind. Runs automatically when the store is created
    /// (<see cref="FileSystemStoreOptions.RecoverOnStartup"/>); safe to run at any time and while other processes use
    /// the same root.
    /// </summary>
    /// <remarks>
    /// <para>Always: every staging folder whose owning process is gone (its lock file is free) is processed. Partly
    /// written content there was never visible and is deleted. A staged sidecar whose content file was already renamed
    /// into place (proved by re-hashing the content) is rolled forward when the sidecar in place is missing or stale;
    /// otherwise it is discarded.</para>
    /// <para>With <paramref name="fullScan"/>: every object is checked; a missing or stale sidecar is recomputed from
    /// the content (keeping any retention or legal hold it carried), sidecars without content are removed, and empty
    /// folders are pruned. This reads every sidecar and hashes every object whose sidecar is stale, so it is meant for
    /// maintenance, not for every start.</para>
    /// </remarks>
    public async ValueTask<FileSystemRecoveryReport> RecoverAsync(bool fullScan = false, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        var report = new FileSystemRecoveryReport();
        try
        {
            report = await RecoverStagingAsync(report, cancellationToken).ConfigureAwait(false);
            if (fullScan)
            {
                report = await RepairSidecarsAsync(report, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ArchiveStorageException(System, RootPath, "recover", null, ex.Message, ex);
        }

        return report;
    }

    private async Task<FileSystemRecoveryReport> RecoverStagingAsync(FileSystemRecoveryReport report, CancellationToken cancellationToken)
    {
        foreach (var dir in new DirectoryInfo(_stagingRoot).EnumerateDirectories())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (dir.Name == _instanceId || !IsAbandoned(Path.Combine(_stagingRoot, dir.Name + ".lock")))
            {
                continue;
            }

            foreach (var file in dir.EnumerateFiles())
            {
                if (file.Extension == ".meta" && await TryRollForwardAsync(file.FullName, cancellationToken).ConfigureAwait(false))
                {
                    report = report with { SidecarsRolledForward = report.SidecarsRolledForward + 1 };
                }
                else if (file.Extension == ".content")
                {
                    report = report with { StagingFilesDeleted = report.StagingFilesDeleted + 1 };
                }

                file.Delete();
            }

            dir.Delete(recursive: true);
            TryDelete(Path.Combine(_stagingRoot, dir.Name + ".lock"));
            report = report with { AbandonedStagingFolders = report.AbandonedStagingFolders + 1 };
        }

        // Lock files whose folder is already gone (a process that died while closing).
        foreach (var lockFile in new DirectoryInfo(_stagingRoot).EnumerateFiles("*.lock"))
        {
            var id = Path.GetFileNameWithoutExtension(lockFile.Name);
            if (id != _instanceId && !Directory.Exists(Path.Combine(_stagingRoot, id)) && IsAbandoned(lockFile.FullName))
            {
                TryDelete(lockFile.FullName);
            }
        }

        NativeFileSystem.FsyncDirectory(_stagingRoot);
        return report;
    }

    /// <summary>True when no live process holds the lock file (or it does not exist).</summary>
    private static bool IsAbandoned(string lockPath)
    {
        try
        {
            using var file = new FileStream(lockPath, FileMode.Open, FileAccess.ReadWrite, OperatingSystem.IsWindows() ? FileShare.Delete : FileShare.ReadWrite | FileShare.Delete);
            return NativeFileSystem.TryLockExclusive(file.SafeFileHandle);
        }
        catch (FileNotFoundException)
        {
            // The lock file is created before the staging folder: a folder without it belongs to nobody.
            return true;
        }
        catch (IOException)
        {
            // Sharing violation: the owner is alive.
            return false;
        }
    }

    /// <summary>Moves a staged sidecar into place when its content is the object now in place and the sidecar there is not current.</summary>
    private async Task<bool> TryRollForwardAsync(string stagedMeta, CancellationToken cancellationToken)
    {
        var staged = Sidecar.Parse(File.ReadAllBytes(stagedMeta));
        if (staged is null)
        {
            return false;
        }

        string key;
        try
        {
            key = ObjectKey.Normalize(staged.Key);
        }
        catch (ArchiveValidationException)
        {
            return false;
        }

        var contentPath = ContentPath(key);
        var metaPath = MetaPath(key);
        var keyLock = KeyLock(key);
        await keyLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var file = new FileInfo(contentPath);
            if (!file.Exists || file.LinkTarget is not null || file.Length != staged.Length)
            {
                return false;
            }

            var current = ReadSidecar(metaPath);
            if (current is not null && IsCurrent(current, file.Length, file.LastWriteTimeUtc.Ticks))
            {
                return false;
            }

            var actual = await DescribeFileAsync(key, contentPath, cancellationToken).ConfigureAwait(false);
            if (actual.Sha256 != staged.Sha256 || actual.Length != staged.Length)
            {
                return false;
            }

            staged.ContentTicks = actual.ContentTicks;
            var temp = Path.Combine(_instanceStaging, Guid.NewGuid().ToString("N") + ".meta");
            try
            {
                WriteDurable(temp, staged.ToJson());
                PublishSidecar(key, temp, metaPath);
            }
            finally
            {
                TryDelete(temp);
            }

            return true;
        }
        finally
        {
            keyLock.Release();
        }
    }

    private async Task<FileSystemRecoveryReport> RepairSidecarsAsync(FileSystemRecoveryReport report, CancellationToken cancellationToken)
    {
        // Objects whose sidecar is missing or stale.
        var stack = new Stack<(string Folder, string KeyPrefix)>();
        stack.Push((_objectsRoot, string.Empty));
        while (stack.TryPop(out var current))
        {
            foreach (var entry in ReadFolder(current.Folder, current.KeyPrefix, string.Empty))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (entry.IsFolder)
                {
                    stack.Push((entry.Info.FullName, entry.SortKey));
                    continue;
                }

                if (await RepairSidecarAsync(entry.SortKey, cancellationToken).ConfigureAwait(false))
                {
                    report = report with { SidecarsRepaired = report.SidecarsRepaired + 1 };
                }
            }
        }

        // Sidecars whose content is gone.
        stack.Push((_metaRoot, string.Empty));
        while (stack.TryPop(out var current))
        {
            foreach (var entry in ReadFolder(current.Folder, current.KeyPrefix, string.Empty))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (entry.IsFolder)
                {
                    stack.Push((entry.Info.FullName, entry.SortKey));
                    continue;
                }

                var keyLock = KeyLock(entry.SortKey);
                await keyLock.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    if (!File.Exists(ContentPath(entry.SortKey)))
                    {
                        File.Delete(entry.Info.FullName);
                        report = report with { OrphanSidecarsDeleted = report.OrphanSidecarsDeleted + 1 };
                    }
                }
                finally
                {
                    keyLock.Release();
                }
            }
        }

        var removed = PruneEmptyFolders(_objectsRoot, isRoot: true) + PruneEmptyFolders(_metaRoot, isRoot: true);
        return report with { EmptyFoldersRemoved = report.EmptyFoldersRemoved + removed };
    }

    private async Task<bool> RepairSidecarAsync(string key, CancellationToken cancellationToken)
    {
        var contentPath = ContentPath(key);
        var metaPath = MetaPath(key);
        var keyLock = KeyLock(key);
        await keyLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var file = new FileInfo(contentPath);
            if (!file.Exists)
            {
                return false;
            }

            var sidecar = ReadSidecar(metaPath);
            if (sidecar is not null && IsCurrent(sidecar, file.Length, file.LastWriteTimeUtc.Ticks))
            {
                return false;
            }

            var fresh = await DescribeFileAsync(key, contentPath, cancellationToken).ConfigureAwait(false);
            if (sidecar is not null)
            {
                fresh = fresh.With(sidecar.Retention, sidecar.LegalHold);
                if (sidecar.Sha256 == fresh.Sha256 && sidecar.Length == fresh.Length)
                {
                    // Same content, only the time stamp moved (e.g. copied by hand): keep what was recorded.
                    fresh.ContentType = sidecar.ContentType;
                    fresh.Metadata = sidecar.Metadata;
                }
            }

            var temp = Path.Combine(_instanceStaging, Guid.NewGuid().ToString("N") + ".meta");
            try
            {
                WriteDurable(temp, fresh.ToJson());
                PublishSidecar(key, temp, metaPath);
            }
            finally
            {
                TryDelete(temp);
            }

            return true;
        }
        finally
        {
            keyLock.Release();
        }
    }

    private static int PruneEmptyFolders(string folder, bool isRoot)
    {
        var removed = 0;
        foreach (var child in new DirectoryInfo(folder).EnumerateDirectories())
        {
            if (child.LinkTarget is null)
            {
                removed += PruneEmptyFolders(child.FullName, isRoot: false);
            }
        }

        if (!isRoot && !Directory.EnumerateFileSystemEntries(folder).Any())
        {
            try
            {
                Directory.Delete(folder);
                removed++;
            }
            catch (IOException)
            {
                // Filled concurrently.
            }
        }

        return removed;
    }
}
