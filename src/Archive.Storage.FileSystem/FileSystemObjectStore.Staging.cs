namespace Archive.Storage.FileSystem;

/// <summary>Content staged now and published under a key later (<see cref="IObjectStagingStore"/>).</summary>
/// <remarks>
/// <para>A staged object is a file in this instance's staging folder (<c>.staging/&lt;instance&gt;/</c>), written in
/// 1 MiB blocks while hashed (write and hash of a block overlap), given a last-write time and fsynced (or flushed by
/// group sync before it is published) — the same write as the first half of a put. Publishing gives it a second name
/// in staging (a hard link: no copy) and then does the second half of a put with that name: sidecar with the staged
/// digest, renames into place, flushes. The staged file itself stays until the object is disposed, so one staged
/// object can be published again (a commit retried under another key). Where the file system has no hard links the
/// staged file is renamed into place instead, and a second publish is refused.</para>
/// <para>Before publishing, the staged file's length and last-write time must still be those it was staged with
/// (nobody else writes in a live instance's staging folder; this guards against a file changed by hand). Staged files
/// of a process that died are deleted by start-up recovery with the rest of its staging folder
/// (<see cref="RecoverAsync"/>); objects published from them keep their own name.</para>
/// </remarks>
public sealed partial class FileSystemObjectStore : IObjectStagingStore
{
    private const int StagingBlockSize = 1 << 20;

    /// <inheritdoc />
    public async ValueTask<StagedObject> StageAsync(Stream content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        ThrowIfDisposed();
        var path = Path.Combine(_instanceStaging, Guid.NewGuid().ToString("N") + ".content");
        try
        {
            var (sha256, length, ticks) = await StageContentAsync(string.Empty, content, path, null, cancellationToken, StagingBlockSize).ConfigureAwait(false);
            return new FileSystemStagedObject(this, path, sha256, length, ticks);
        }
        catch (Exception ex) when ((ex is IOException or UnauthorizedAccessException) && !ex.Data.Contains(SourceStreamFailure))
        {
            TryDelete(path);
            throw new ArchiveStorageException(System, RootPath, "stage", null, ex.Message, ex);
        }
        catch
        {
            TryDelete(path);
            throw;
        }
    }

    /// <inheritdoc />
    public async ValueTask<ObjectInfo> PublishAsync(StagedObject staged, string key, PutObjectOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(staged);
        if (staged is not FileSystemStagedObject own || !ReferenceEquals(own.Store, this))
        {
            throw new ArgumentException("The staged object was not staged by this store.", nameof(staged));
        }

        key = ObjectKey.Normalize(key);
        options ??= new PutObjectOptions();
        var expectedSha = ValidatePutOptions(options);
        ThrowIfDisposed();
        if (options.ExpectedLength is { } expectedLength && expectedLength != own.Length)
        {
            throw new ChecksumMismatchException(System, RootPath, key, $"{expectedLength} bytes", $"{own.Length} bytes");
        }

        if (expectedSha is not null && !string.Equals(expectedSha, own.Sha256, StringComparison.Ordinal))
        {
            throw new ChecksumMismatchException(System, RootPath, key, expectedSha, own.Sha256);
        }

        var contentPath = ContentPath(key);
        if (options.CreateOnly && File.Exists(contentPath))
        {
            throw new ObjectAlreadyExistsException(System, RootPath, key);
        }

        var name = Path.Combine(_instanceStaging, Guid.NewGuid().ToString("N") + ".content");
        var stagedMeta = Path.ChangeExtension(name, ".meta");
        try
        {
            var source = own.TakeForPublishing(name, out var ticks);
            if (source is null)
            {
                throw new InvalidOperationException("The staged object was already published into place by a rename (this file system has no hard links); stage the content again.");
            }

            // The bytes to publish are those the digest was computed from: same length, same last-write time as staged.
            var file = new FileInfo(source);
            if (!file.Exists || file.Length != own.Length || file.LastWriteTimeUtc.Ticks != ticks)
            {
                throw new ChecksumMismatchException(System, RootPath, key, $"{own.Length} bytes staged at {new DateTime(ticks, DateTimeKind.Utc):O}", file.Exists ? $"{file.Length} bytes at {file.LastWriteTimeUtc:O}" : "no staged file");
            }

            return await PublishFileAsync(key, source, stagedMeta, own.Sha256, own.Length, ticks, options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ArchiveStorageException(System, RootPath, "publish", key, ex.Message, ex);
        }
        finally
        {
            // The link, unless it was renamed into place (then it is gone and this does nothing).
            TryDelete(name);
            TryDelete(stagedMeta);
        }
    }

    /// <summary>A staged file of this store.</summary>
    private sealed class FileSystemStagedObject(FileSystemObjectStore store, string path, string sha256, long length, long ticks) : StagedObject(sha256, length)
    {
        private readonly Lock _gate = new();
        private bool _renamed;
        private bool _disposed;

        public FileSystemObjectStore Store { get; } = store;

        public string Path { get; } = path;

        /// <summary>
        /// The file a publish renames into place: a new hard link <paramref name="linkPath"/> to the staged file, or (no
        /// hard links) the staged file itself, once; null when that was renamed already.
        /// </summary>
        public string? TakeForPublishing(string linkPath, out long stagedTicks)
        {
            stagedTicks = ticks;
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                if (_renamed)
                {
                    return null;
                }

                if (NativeFileSystem.TryLink(Path, linkPath))
                {
                    return linkPath;
                }

                _renamed = true;
                return Path;
            }
        }

        public override Stream OpenRead()
        {
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                if (_renamed)
                {
                    throw new InvalidOperationException("The staged object was published into place by a rename; read the published object.");
                }

                return new FileStream(Path, new FileStreamOptions
                {
                    Mode = FileMode.Open,
                    Access = FileAccess.Read,
                    Share = FileShare.Read | FileShare.Delete,
                    BufferSize = 81920,
                    Options = FileOptions.Asynchronous,
                });
            }
        }

        protected override void Dispose(bool disposing)
        {
            lock (_gate)
            {
                if (_disposed)
                {
                    return;
                }

                _disposed = true;
            }

            // Gone already when it was renamed into place; otherwise only this name goes (published links stay).
            if (disposing)
            {
                TryDelete(Path);
            }
        }
    }
}
