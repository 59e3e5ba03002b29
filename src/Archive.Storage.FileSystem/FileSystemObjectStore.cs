using System.Buffers;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Win32.SafeHandles;

namespace Archive.Storage.FileSystem;

/// <summary>
/// The embedded object store: a local folder. Content is stored raw under <c>&lt;root&gt;/objects/&lt;key&gt;</c>
/// (so an archival package is a plain, readable folder tree); digest, length, media type, user metadata, retention
/// and legal hold live in a JSON sidecar at <c>&lt;root&gt;/.meta/&lt;key&gt;</c>; writes in progress live in
/// <c>&lt;root&gt;/.staging/&lt;instance&gt;/</c> on the same file system.
/// </summary>
/// <remarks>
/// <para><b>Write order.</b> A put streams the content into a staging file while hashing it, fsyncs it, verifies the
/// expected digest and length, writes the new sidecar to staging (fsync), then renames the content into place
/// (atomic, fsync of the folder) and finally renames the sidecar into place (fsync). A crash before the content
/// rename leaves the previous object untouched; a crash between the two renames leaves the new content with the
/// previous sidecar, which <see cref="RecoverAsync"/> repairs by rolling the staged sidecar forward (after re-hashing
/// the content to prove it belongs to it). Until then the stale sidecar is detected (length and last-write time
/// disagree with the file) and its digest is not reported.</para>
/// <para>With <see cref="FileSystemDurability.GroupSync"/> the individual fsyncs are replaced by two waits for a shared
/// <c>syncfs(2)</c>: after staging (content and sidecar on disk before they get their names) and after the renames
/// (names on disk before the put returns); concurrent writes share the flushes.</para>
/// <para><b>Processes.</b> Each store instance holds an advisory lock on <c>.staging/&lt;instance&gt;.lock</c>; recovery only
/// touches staging folders whose lock is free (their process is gone), so several processes may share a root.
/// Writes to the same key are serialised within one process; across processes only create-only is atomic.</para>
/// <para><b>Retention</b> is <see cref="RetentionEnforcement.Advisory"/>: this API refuses deletes and overwrites,
/// but anyone with access to the folder can still remove files. The API caller is trusted with governance bypass:
/// governance retention may be shortened or removed, compliance retention may only be extended.</para>
/// <para><b>Limits.</b> A file system cannot hold both an object <c>a</c> and an object <c>a/b</c> (a file and a
/// folder of the same name); such a write fails with <see cref="ArchiveStorageException"/>. Keys are NFC; files put
/// into <c>objects/</c> by hand whose names are not valid NFC keys, and symbolic links, are ignored.</para>
/// </remarks>
public sealed partial class FileSystemObjectStore : IObjectStore, IObjectRetentionStore, IDisposable
{
    private const string System = "filesystem";
    private const int BufferSize = 256 * 1024;
    private const int LockStripes = 64;
    private const int DirectoryRaceRetries = 8;

    private readonly string _objectsRoot;
    private readonly string _metaRoot;
    private readonly string _stagingRoot;
    private readonly string _instanceId = Guid.NewGuid().ToString("N");
    private readonly string _instanceStaging;
    private readonly SemaphoreSlim[] _keyLocks = Enumerable.Range(0, LockStripes).Select(_ => new SemaphoreSlim(1, 1)).ToArray();
    private readonly ILogger _logger;
    private readonly FileStream _instanceLock;
    private readonly GroupSync? _groupSync;
    private long _lastTicks;
    private int _disposed;

    /// <summary>Opens (and creates when missing) a store.</summary>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    /// <exception cref="ArchiveStorageException">The folder cannot be created or used.</exception>
    public FileSystemObjectStore(FileSystemStoreOptions options, ILogger<FileSystemObjectStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var error = ValidateRootPath(options.RootPath);
        if (error is not null)
        {
            throw new ArgumentException(error, nameof(options));
        }

        if (!Enum.IsDefined(options.Durability))
        {
            throw new ArgumentException($"FileSystemStoreOptions.Durability '{options.Durability}' is not one of Fsync, GroupSync.", nameof(options));
        }

        _logger = logger ?? (ILogger)NullLogger.Instance;
        RootPath = Path.TrimEndingDirectorySeparator(Path.GetFullPath(options.RootPath));
        _objectsRoot = Path.Combine(RootPath, "objects");
        _metaRoot = Path.Combine(RootPath, ".meta");
        _stagingRoot = Path.Combine(RootPath, ".staging");
        _instanceStaging = Path.Combine(_stagingRoot, _instanceId);

        try
        {
            Directory.CreateDirectory(RootPath);
            Directory.CreateDirectory(_objectsRoot);
            Directory.CreateDirectory(_metaRoot);
            Directory.CreateDirectory(_stagingRoot);
            _instanceLock = new FileStream(Path.Combine(_stagingRoot, _instanceId + ".lock"), FileMode.CreateNew, FileAccess.ReadWrite, OperatingSystem.IsWindows() ? FileShare.Delete : FileShare.ReadWrite | FileShare.Delete);
            if (!NativeFileSystem.TryLockExclusive(_instanceLock.SafeFileHandle))
            {
                throw new IOException("Cannot lock this instance's staging lock file.");
            }

            Directory.CreateDirectory(_instanceStaging);
            NativeFileSystem.FsyncDirectory(_stagingRoot);
            NativeFileSystem.FsyncDirectory(RootPath);
            _groupSync = options.Durability == FileSystemDurability.GroupSync ? GroupSync.TryCreate(RootPath) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _instanceLock?.Dispose();
            throw new ArchiveStorageException(System, RootPath, "open", null, ex.Message, ex);
        }

        if (options.RecoverOnStartup)
        {
            var report = RecoverAsync(fullScan: false, CancellationToken.None).AsTask().GetAwaiter().GetResult();
            if (report.AbandonedStagingFolders > 0)
            {
                LogRecovered(report.AbandonedStagingFolders, report.StagingFilesDeleted, report.SidecarsRolledForward);
            }
        }
    }

    /// <summary>The absolute root folder.</summary>
    public string RootPath { get; }

    /// <summary>The durability mode in effect (<see cref="FileSystemDurability.GroupSync"/> falls back to <see cref="FileSystemDurability.Fsync"/> where syncfs is missing).</summary>
    public FileSystemDurability Durability => _groupSync is null ? FileSystemDurability.Fsync : FileSystemDurability.GroupSync;

    /// <summary>File-system flushes (syncfs) run by group sync so far, for diagnostics; 0 in <see cref="FileSystemDurability.Fsync"/> mode.</summary>
    public long GroupSyncFlushes => _groupSync?.Flushes ?? 0;

    /// <inheritdoc />
    public string SystemName => System;

    /// <inheritdoc />
    public string ContainerName => RootPath;

    /// <inheritdoc />
    public ObjectStoreCapabilities Capabilities => ObjectStoreCapabilities.AtomicCreateOnly | ObjectStoreCapabilities.NativeRangedRead;

    /// <inheritdoc />
    /// <remarks>The store itself answers for <see cref="IObjectRetentionStore"/> (advisory retention).</remarks>
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <inheritdoc />
    public RetentionEnforcement Enforcement => RetentionEnforcement.Advisory;

    /// <summary>Checks a root path option; returns an error message or null.</summary>
    internal static string? ValidateRootPath(string? rootPath)
    {
        if (string.IsNullOrWhiteSpace(rootPath))
        {
            return "FileSystemStoreOptions.RootPath is required.";
        }

        if (rootPath.AsSpan().IndexOfAny(Path.GetInvalidPathChars()) >= 0)
        {
            return $"FileSystemStoreOptions.RootPath '{rootPath}' contains characters that are not valid in a path.";
        }

        try
        {
            var full = Path.GetFullPath(rootPath);
            if (Path.GetPathRoot(full) == full)
            {
                return $"FileSystemStoreOptions.RootPath must not be the root of a file system ('{full}').";
            }
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return $"FileSystemStoreOptions.RootPath '{rootPath}' is not a valid path: {ex.Message}";
        }

        return null;
    }

    // ------------------------------------------------------------------ put

    /// <inheritdoc />
    public async ValueTask<ObjectInfo> PutAsync(string key, Stream content, PutObjectOptions? options = null, CancellationToken cancellationToken = default)
    {
        key = ObjectKey.Normalize(key);
        ArgumentNullException.ThrowIfNull(content);
        options ??= new PutObjectOptions();
        var expectedSha = ValidatePutOptions(options);
        ThrowIfDisposed();

        var contentPath = ContentPath(key);
        var metaPath = MetaPath(key);

        // Cheap early refusals before streaming what may be gigabytes; both are checked again under the key lock.
        if (options.CreateOnly && File.Exists(contentPath))
        {
            throw new ObjectAlreadyExistsException(System, RootPath, key);
        }

        if (!options.CreateOnly)
        {
            ThrowIfLocked(key, "put", ReadSidecarIfContentExists(contentPath, metaPath, key, "put"));
        }

        var stagedContent = Path.Combine(_instanceStaging, Guid.NewGuid().ToString("N") + ".content");
        var stagedMeta = Path.ChangeExtension(stagedContent, ".meta");
        try
        {
            var (sha256, length, ticks) = await StageContentAsync(key, content, stagedContent, options.ExpectedLength, cancellationToken).ConfigureAwait(false);
            if (options.ExpectedLength is { } expectedLength && expectedLength != length)
            {
                throw new ChecksumMismatchException(System, RootPath, key, $"{expectedLength} bytes", $"{length} bytes");
            }

            if (expectedSha is not null && !string.Equals(expectedSha, sha256, StringComparison.Ordinal))
            {
                throw new ChecksumMismatchException(System, RootPath, key, expectedSha, sha256);
            }

            return await PublishFileAsync(key, stagedContent, stagedMeta, sha256, length, ticks, options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when ((ex is IOException or UnauthorizedAccessException) && !ex.Data.Contains(SourceStreamFailure))
        {
            throw new ArchiveStorageException(System, RootPath, "put", key, ex.Message, ex);
        }
        finally
        {
            TryDelete(stagedContent);
            TryDelete(stagedMeta);
        }
    }

    /// <summary>
    /// The second half of a put: writes the sidecar of a staged content file to staging, flushes, and gives both their
    /// names under the key lock (content first, then sidecar; see the remarks of the class). The staged content file is
    /// renamed, so it is gone afterwards (unless the rename failed).
    /// </summary>
    private async ValueTask<ObjectInfo> PublishFileAsync(string key, string stagedContent, string stagedMeta, string sha256, long length, long ticks, PutObjectOptions options, CancellationToken cancellationToken)
    {
        var contentPath = ContentPath(key);
        var metaPath = MetaPath(key);
        var sidecar = new Sidecar
        {
            Key = key,
            Length = length,
            Sha256 = sha256,
            ContentTicks = ticks,
            ContentType = options.ContentType,
            Metadata = options.Metadata is { Count: > 0 } m ? new Dictionary<string, string>(m, StringComparer.Ordinal) : null,
            Retention = options.Retention is { } r ? new SidecarRetention(r.Mode, r.RetainUntil.ToUniversalTime()) : null,
        };
        WriteStaged(stagedMeta, sidecar.ToJson());

        // Group sync: staged content and sidecar reach the disk before they appear under their names.
        await GroupFlushAsync().ConfigureAwait(false);

        var keyLock = KeyLock(key);
        await keyLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!options.CreateOnly)
            {
                ThrowIfLocked(key, "put", ReadSidecarIfContentExists(contentPath, metaPath, key, "put"));
            }

            if (Directory.Exists(contentPath))
            {
                throw KeyConflict(key, "put", $"'{key}' is a folder of other objects");
            }

            // From here on nothing may be cancelled half-way: the two renames complete together.
            PublishContent(key, stagedContent, contentPath, options.CreateOnly);
            PublishSidecar(key, stagedMeta, metaPath);
        }
        finally
        {
            keyLock.Release();
        }

        // Group sync: the new names (and any new folders) are on disk before the write is acknowledged.
        await GroupFlushAsync().ConfigureAwait(false);
        return ToInfo(key, length, new DateTime(ticks, DateTimeKind.Utc), sidecar);
    }

    private string? ValidatePutOptions(PutObjectOptions options)
    {
        var errors = new List<ValidationError>();
        string? expectedSha = null;
        if (options.ExpectedSha256 is { } sha)
        {
            if (sha.Length != 64 || !sha.All(char.IsAsciiHexDigit))
            {
                errors.Add(new ValidationError("expectedSha256", "sha256.format", "The expected SHA-256 must be 64 hexadecimal digits."));
            }
            else
            {
                expectedSha = sha.ToLowerInvariant();
            }
        }

        if (options.ExpectedLength is < 0)
        {
            errors.Add(new ValidationError("expectedLength", "length.negative", "The expected length must not be negative."));
        }

        if (options.Metadata is { } metadata)
        {
            foreach (var (name, value) in metadata)
            {
                if (string.IsNullOrEmpty(name) || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
                {
                    errors.Add(new ValidationError($"metadata[{name}]", "metadata.name", "Metadata names may contain only ASCII letters, digits and '-'."));
                }

                if (value is null)
                {
                    errors.Add(new ValidationError($"metadata[{name}]", "metadata.value-null", "Metadata values must not be null."));
                }
            }
        }

        if (options.Retention is { } retention && retention.RetainUntil <= DateTimeOffset.UtcNow)
        {
            errors.Add(new ValidationError("retention.retainUntil", "retention.in-past", "The retain-until date must be in the future."));
        }

        if (errors.Count > 0)
        {
            throw new ArchiveValidationException(errors);
        }

        return expectedSha;
    }

    /// <summary>
    /// Streams content into a new staging file while hashing it, sets its last-write time and fsyncs it (or leaves the
    /// flush to group sync). With <paramref name="blockSize"/> above <see cref="BufferSize"/> (staging for
    /// <see cref="IObjectStagingStore"/>) each block's write runs while the same block is hashed, so that the two can
    /// overlap on two cores; the block is reused only after both finished.
    /// </summary>
    private async Task<(string Sha256, long Length, long Ticks)> StageContentAsync(string key, Stream content, string stagedContent, long? expectedLength, CancellationToken cancellationToken, int blockSize = BufferSize)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(blockSize);
        try
        {
            await using var file = new FileStream(stagedContent, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                BufferSize = 0,
                Options = FileOptions.Asynchronous,
            });
            long length = 0;
            int read;
            while ((read = await ReadSourceAsync(content, buffer, blockSize, cancellationToken).ConfigureAwait(false)) > 0)
            {
                length += read;
                if (expectedLength is { } max && length > max)
                {
                    // More than announced: refuse without reading the rest of a possibly endless stream.
                    throw new ChecksumMismatchException(System, RootPath, key, $"{max} bytes", $"more than {max} bytes");
                }

                if (blockSize > BufferSize)
                {
                    var write = file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                    hash.AppendData(buffer, 0, read);
                    await write.ConfigureAwait(false);
                }
                else
                {
                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                }
            }

            var ticks = NextTicks();
            File.SetLastWriteTimeUtc(file.SafeFileHandle, new DateTime(ticks, DateTimeKind.Utc));
            file.Flush(flushToDisk: _groupSync is null);
            return (Convert.ToHexStringLower(hash.GetHashAndReset()), length, ticks);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Marks an exception of the caller's content stream, which is passed through rather than reported as a storage failure.</summary>
    private const string SourceStreamFailure = "Archive.SourceStreamFailure";

    private static async ValueTask<int> ReadSourceAsync(Stream content, byte[] buffer, int blockSize, CancellationToken cancellationToken)
    {
        try
        {
            // Large blocks are filled (a network stream hands out small pieces); small ones take what comes.
            return blockSize > BufferSize
                ? await content.ReadAtLeastAsync(buffer.AsMemory(0, blockSize), blockSize, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false)
                : await content.ReadAsync(buffer.AsMemory(0, blockSize), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            ex.Data[SourceStreamFailure] = true;
            throw;
        }
    }

    /// <summary>A strictly increasing last-write time for the files this instance writes (UTC ticks, whole microseconds).</summary>
    private long NextTicks()
    {
        while (true)
        {
            var last = Interlocked.Read(ref _lastTicks);
            var now = DateTime.UtcNow.Ticks;
            now -= now % 10;
            var next = Math.Max(now, last + 10);
            if (Interlocked.CompareExchange(ref _lastTicks, next, last) == last)
            {
                return next;
            }
        }
    }

    private void PublishContent(string key, string stagedContent, string contentPath, bool createOnly, bool syncDirectory = true)
    {
        for (var attempt = 0; ; attempt++)
        {
            EnsureParentDirectory(key, contentPath, _objectsRoot);
            try
            {
                if (createOnly)
                {
                    if (!NativeFileSystem.TryRenameNoReplace(stagedContent, contentPath))
                    {
                        throw new ObjectAlreadyExistsException(System, RootPath, key);
                    }
                }
                else
                {
                    File.Move(stagedContent, contentPath, overwrite: true);
                }

                break;
            }
            catch (DirectoryNotFoundException) when (attempt < DirectoryRaceRetries)
            {
                // A concurrent delete pruned the (then empty) parent folder: create it again.
            }
        }

        if (syncDirectory)
        {
            SyncDirectory(Path.GetDirectoryName(contentPath)!);
        }
    }

    private void PublishSidecar(string key, string stagedMeta, string metaPath, bool syncDirectory = true)
    {
        for (var attempt = 0; ; attempt++)
        {
            EnsureParentDirectory(key, metaPath, _metaRoot);
            try
            {
                File.Move(stagedMeta, metaPath, overwrite: true);
                break;
            }
            catch (DirectoryNotFoundException) when (attempt < DirectoryRaceRetries)
            {
            }
        }

        if (syncDirectory)
        {
            SyncDirectory(Path.GetDirectoryName(metaPath)!);
        }
    }

    /// <summary>Creates the missing ancestors of a file one by one, fsyncing each parent so the new entries are durable.</summary>
    private void EnsureParentDirectory(string key, string filePath, string treeRoot)
    {
        var parent = Path.GetDirectoryName(filePath)!;
        if (Directory.Exists(parent))
        {
            return;
        }

        var missing = new Stack<string>();
        for (var dir = parent; !Directory.Exists(dir); dir = Path.GetDirectoryName(dir)!)
        {
            if (File.Exists(dir))
            {
                var blocking = Path.GetRelativePath(treeRoot, dir).Replace(Path.DirectorySeparatorChar, '/');
                throw KeyConflict(key, "put", $"'{blocking}' is an object, so it cannot also be a folder");
            }

            if (dir.Length <= treeRoot.Length)
            {
                throw new DirectoryNotFoundException($"The store folder '{treeRoot}' is missing.");
            }

            missing.Push(dir);
        }

        while (missing.TryPop(out var dir))
        {
            Directory.CreateDirectory(dir);
            SyncDirectory(Path.GetDirectoryName(dir)!);
        }
    }

    private ArchiveStorageException KeyConflict(string key, string operation, string detail)
        => new(System, RootPath, operation, key, $"the key conflicts with an existing object: {detail} (a file-system store cannot hold both 'a' and 'a/...')");

    /// <summary>Writes a staged file: fsynced now, or (group sync) by the flush the caller awaits before publishing it.</summary>
    private void WriteStaged(string path, byte[] bytes)
    {
        using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1);
        file.Write(bytes);
        file.Flush(flushToDisk: _groupSync is null);
    }

    /// <summary>Fsyncs a changed folder (Fsync mode); under group sync the caller's next flush covers it.</summary>
    private void SyncDirectory(string path)
    {
        if (_groupSync is null)
        {
            NativeFileSystem.FsyncDirectory(path);
        }
    }

    /// <summary>
    /// Makes a removal from <paramref name="folder"/> durable. A concurrent delete of the folder's last other object may
    /// already have pruned the folder (the two hold different key locks): then its removal, which carries this one, is
    /// made durable in the nearest folder that still exists.
    /// </summary>
    private void SyncRemoval(string folder)
    {
        for (var dir = folder; ; dir = Path.GetDirectoryName(dir)!)
        {
            try
            {
                SyncDirectory(dir);
                return;
            }
            catch (IOException) when (!Directory.Exists(dir) && dir.Length > _objectsRoot.Length)
            {
                // Pruned meanwhile: its parent records that.
            }
        }
    }

    private Task GroupFlushAsync() => _groupSync?.FlushAsync() ?? Task.CompletedTask;

    private static void WriteDurable(string path, byte[] bytes)
    {
        using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1);
        file.Write(bytes);
        file.Flush(flushToDisk: true);
    }

    // ------------------------------------------------------------------ get, stat

    /// <inheritdoc />
    public ValueTask<ObjectContent?> GetAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default)
    {
        key = ObjectKey.Normalize(key);
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfDisposed();
        var contentPath = ContentPath(key);
        FileStream? stream = null;
        try
        {
            if (!IsRegularFile(contentPath))
            {
                return ValueTask.FromResult<ObjectContent?>(null);
            }

            try
            {
                stream = new FileStream(contentPath, new FileStreamOptions
                {
                    Mode = FileMode.Open,
                    Access = FileAccess.Read,
                    Share = FileShare.ReadWrite | FileShare.Delete,
                    BufferSize = 0,
                    Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
                });
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
            {
                return ValueTask.FromResult<ObjectContent?>(null);
            }

            // Describe the file that was actually opened (a concurrent overwrite replaces the path, not this handle).
            var length = RandomAccess.GetLength(stream.SafeFileHandle);
            var modified = File.GetLastWriteTimeUtc(stream.SafeFileHandle);
            var info = ToInfo(key, length, modified, ReadSidecar(MetaPath(key)));

            ByteRange? served = null;
            Stream body = stream;
            if (range is { } requested)
            {
                var resolved = requested.Resolve(length);
                served = resolved;
                stream.Seek(resolved.Offset, SeekOrigin.Begin);
                body = new BoundedReadStream(stream, resolved.Length!.Value);
            }

            var result = new ObjectContent(info, body, served);
            stream = null;
            return ValueTask.FromResult<ObjectContent?>(result);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ArchiveStorageException(System, RootPath, "get", key, ex.Message, ex);
        }
        finally
        {
            stream?.Dispose();
        }
    }

    /// <inheritdoc />
    public ValueTask<ObjectInfo?> StatAsync(string key, CancellationToken cancellationToken = default)
    {
        key = ObjectKey.Normalize(key);
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfDisposed();
        try
        {
            var file = new FileInfo(ContentPath(key));
            if (!file.Exists || file.LinkTarget is not null)
            {
                return ValueTask.FromResult<ObjectInfo?>(null);
            }

            return ValueTask.FromResult<ObjectInfo?>(ToInfo(key, file.Length, file.LastWriteTimeUtc, ReadSidecar(MetaPath(key))));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ArchiveStorageException(System, RootPath, "stat", key, ex.Message, ex);
        }
    }

    private static readonly IReadOnlyDictionary<string, string> NoMetadata = new Dictionary<string, string>(0);

    /// <summary>Combines the file's facts with its sidecar; a stale or missing sidecar contributes nothing but locks.</summary>
    private static ObjectInfo ToInfo(string key, long length, DateTime modifiedUtc, Sidecar? sidecar)
    {
        if (sidecar is not null && IsCurrent(sidecar, length, modifiedUtc.Ticks))
        {
            return new ObjectInfo
            {
                Key = key,
                Length = length,
                Sha256 = sidecar.Sha256,
                LastModified = new DateTimeOffset(modifiedUtc, TimeSpan.Zero),
                ETag = sidecar.Sha256,
                ContentType = sidecar.ContentType,
                Metadata = sidecar.Metadata is { } m ? m : NoMetadata,
            };
        }

        return new ObjectInfo
        {
            Key = key,
            Length = length,
            Sha256 = null,
            LastModified = new DateTimeOffset(modifiedUtc, TimeSpan.Zero),
            ETag = $"{length:x}-{modifiedUtc.Ticks:x}",
        };
    }

    private static bool IsCurrent(Sidecar sidecar, long length, long ticks) => sidecar.Length == length && sidecar.ContentTicks == ticks;

    private static bool IsRegularFile(string path)
    {
        var info = new FileInfo(path);
        return info.Exists && info.LinkTarget is null;
    }

    // ------------------------------------------------------------------ delete

    /// <inheritdoc />
    public async ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        key = ObjectKey.Normalize(key);
        ThrowIfDisposed();
        var contentPath = ContentPath(key);
        var metaPath = MetaPath(key);
        var keyLock = KeyLock(key);
        await keyLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!IsRegularFile(contentPath))
            {
                if (File.Exists(metaPath))
                {
                    // An orphan sidecar (crash during an earlier delete): finish that delete.
                    File.Delete(metaPath);
                    PruneEmptyParents(metaPath, _metaRoot);
                }

                return false;
            }

            ThrowIfLocked(key, "delete", ReadSidecar(metaPath));

            // Content first: a crash in between leaves an orphan sidecar (harmless, removed later), never
            // content that lost its retention.
            File.Delete(contentPath);
            SyncRemoval(Path.GetDirectoryName(contentPath)!);
            await GroupFlushAsync().ConfigureAwait(false);
            File.Delete(metaPath);
            PruneEmptyParents(contentPath, _objectsRoot);
            PruneEmptyParents(metaPath, _metaRoot);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ArchiveStorageException(System, RootPath, "delete", key, ex.Message, ex);
        }
        finally
        {
            keyLock.Release();
        }
    }

    private static void PruneEmptyParents(string filePath, string treeRoot)
    {
        for (var dir = Path.GetDirectoryName(filePath)!; dir.Length > treeRoot.Length; dir = Path.GetDirectoryName(dir)!)
        {
            try
            {
                if (Directory.EnumerateFileSystemEntries(dir).Any())
                {
                    return;
                }

                Directory.Delete(dir, recursive: false);
            }
            catch (IOException)
            {
                // Not empty any more (a concurrent write) or already gone: stop.
                return;
            }
        }
    }

    // ------------------------------------------------------------------ retention

    /// <inheritdoc />
    public async ValueTask SetRetentionAsync(string key, ObjectRetention retention, CancellationToken cancellationToken = default)
    {
        key = ObjectKey.Normalize(key);
        ArgumentNullException.ThrowIfNull(retention);
        ThrowIfDisposed();
        await UpdateSidecarAsync(key, "set-retention", sidecar =>
        {
            var now = DateTimeOffset.UtcNow;
            var until = retention.RetainUntil.ToUniversalTime();
            if (sidecar.Retention is { Mode: RetentionMode.Compliance } current && current.IsActive(now))
            {
                if (retention.Mode != RetentionMode.Compliance)
                {
                    throw new ObjectLockedException(System, RootPath, "set-retention", key, $"compliance retention until {current.RetainUntil:O} cannot be changed to governance");
                }

                if (until < current.RetainUntil)
                {
                    throw new ObjectLockedException(System, RootPath, "set-retention", key, $"compliance retention until {current.RetainUntil:O} cannot be shortened to {until:O}");
                }
            }

            return sidecar.With(new SidecarRetention(retention.Mode, until), sidecar.LegalHold);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<ObjectRetention?> GetRetentionAsync(string key, CancellationToken cancellationToken = default)
    {
        var sidecar = await ReadSidecarOfExistingAsync(key, "get-retention", cancellationToken).ConfigureAwait(false);
        return sidecar?.Retention?.ToRetention();
    }

    /// <inheritdoc />
    public async ValueTask SetLegalHoldAsync(string key, bool enabled, CancellationToken cancellationToken = default)
    {
        key = ObjectKey.Normalize(key);
        ThrowIfDisposed();
        await UpdateSidecarAsync(key, "set-legal-hold", sidecar => sidecar.With(sidecar.Retention, enabled), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<bool> GetLegalHoldAsync(string key, CancellationToken cancellationToken = default)
    {
        var sidecar = await ReadSidecarOfExistingAsync(key, "get-legal-hold", cancellationToken).ConfigureAwait(false);
        return sidecar?.LegalHold ?? false;
    }

    private ValueTask<Sidecar?> ReadSidecarOfExistingAsync(string key, string operation, CancellationToken cancellationToken)
    {
        key = ObjectKey.Normalize(key);
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfDisposed();
        try
        {
            if (!IsRegularFile(ContentPath(key)))
            {
                throw new ObjectNotFoundException(System, RootPath, operation, key);
            }

            return ValueTask.FromResult(ReadSidecar(MetaPath(key)));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ArchiveStorageException(System, RootPath, operation, key, ex.Message, ex);
        }
    }

    private async ValueTask UpdateSidecarAsync(string key, string operation, Func<Sidecar, Sidecar> update, CancellationToken cancellationToken)
    {
        var contentPath = ContentPath(key);
        var metaPath = MetaPath(key);
        var keyLock = KeyLock(key);
        await keyLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        var staged = Path.Combine(_instanceStaging, Guid.NewGuid().ToString("N") + ".meta");
        try
        {
            var file = new FileInfo(contentPath);
            if (!file.Exists || file.LinkTarget is not null)
            {
                throw new ObjectNotFoundException(System, RootPath, operation, key);
            }

            var sidecar = ReadSidecar(metaPath);
            if (sidecar is null || !IsCurrent(sidecar, file.Length, file.LastWriteTimeUtc.Ticks))
            {
                // No trustworthy description of this content: describe it afresh (keeping any lock it carried).
                var fresh = await DescribeFileAsync(key, contentPath, cancellationToken).ConfigureAwait(false);
                sidecar = sidecar is null ? fresh : fresh.With(sidecar.Retention, sidecar.LegalHold);
            }

            WriteStaged(staged, update(sidecar).ToJson());
            await GroupFlushAsync().ConfigureAwait(false);
            PublishSidecar(key, staged, metaPath);
            await GroupFlushAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ArchiveStorageException(System, RootPath, operation, key, ex.Message, ex);
        }
        finally
        {
            TryDelete(staged);
            keyLock.Release();
        }
    }

    /// <summary>Hashes a content file and returns a sidecar describing it (no media type or metadata).</summary>
    private static async Task<Sidecar> DescribeFileAsync(string key, string contentPath, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(contentPath, new FileStreamOptions
        {
            Mode = FileMode.Open,
            Access = FileAccess.Read,
            Share = FileShare.ReadWrite | FileShare.Delete,
            BufferSize = 0,
            Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
        });
        var ticks = File.GetLastWriteTimeUtc(stream.SafeFileHandle).Ticks;
        var (sha, length) = await HashAsync(stream, cancellationToken).ConfigureAwait(false);
        return new Sidecar { Key = key, Length = length, Sha256 = sha, ContentTicks = ticks };
    }

    private static async Task<(string Sha256, long Length)> HashAsync(Stream stream, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            long length = 0;
            int read;
            while ((read = await stream.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken).ConfigureAwait(false)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                length += read;
            }

            return (Convert.ToHexStringLower(hash.GetHashAndReset()), length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void ThrowIfLocked(string key, string operation, Sidecar? sidecar)
    {
        if (sidecar is null)
        {
            return;
        }

        if (sidecar.LegalHold)
        {
            throw new ObjectLockedException(System, RootPath, operation, key, "the object is under legal hold");
        }

        if (sidecar.Retention is { } retention && retention.IsActive(DateTimeOffset.UtcNow))
        {
            throw new ObjectLockedException(System, RootPath, operation, key, $"{retention.Mode.ToString().ToLowerInvariant()} retention until {retention.RetainUntil:O}");
        }
    }

    private Sidecar? ReadSidecarIfContentExists(string contentPath, string metaPath, string key, string operation)
    {
        try
        {
            return File.Exists(contentPath) ? ReadSidecar(metaPath) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ArchiveStorageException(System, RootPath, operation, key, ex.Message, ex);
        }
    }

    private static Sidecar? ReadSidecar(string metaPath)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(metaPath);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (UnauthorizedAccessException) when (Directory.Exists(metaPath))
        {
            return null;
        }

        return Sidecar.Parse(bytes);
    }

    // ------------------------------------------------------------------ helpers

    private string ContentPath(string key) => Path.Combine(_objectsRoot, ToRelativePath(key));

    private string MetaPath(string key) => Path.Combine(_metaRoot, ToRelativePath(key));

    private static string ToRelativePath(string key) => Path.DirectorySeparatorChar == '/' ? key : key.Replace('/', Path.DirectorySeparatorChar);

    private SemaphoreSlim KeyLock(string key) => _keyLocks[(StringComparer.Ordinal.GetHashCode(key) & int.MaxValue) % LockStripes];

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left for recovery: staging files are never visible.
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

    /// <summary>Releases this instance's staging lock and removes its (empty) staging folder.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            Directory.Delete(_instanceStaging, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }

        _instanceLock.Dispose();
        _groupSync?.Dispose();
        TryDelete(Path.Combine(_stagingRoot, _instanceId + ".lock"));
        foreach (var keyLock in _keyLocks)
        {
            keyLock.Dispose();
        }
    }

    [LoggerMessage(EventId = 2000, EventName = "StagingRecovered", Level = LogLevel.Warning, Message = "File-system store recovered {Folders} abandoned staging folder(s): {Deleted} partial write(s) discarded, {RolledForward} sidecar(s) rolled forward.")]
    private partial void LogRecovered(int folders, int deleted, int rolledForward);
}
