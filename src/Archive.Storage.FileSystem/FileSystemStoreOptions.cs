using Microsoft.Extensions.Options;

namespace Archive.Storage.FileSystem;

/// <summary>Options of <see cref="FileSystemObjectStore"/>.</summary>
public sealed class FileSystemStoreOptions
{
    /// <summary>
    /// The store's root folder. A relative path is resolved against the current directory when the store starts;
    /// the folder is created when missing. It holds <c>objects/</c> (the content, one plain file per key),
    /// <c>.meta/</c> (one JSON sidecar per object) and <c>.staging/</c> (writes in progress).
    /// </summary>
    public string RootPath { get; set; } = string.Empty;

    /// <summary>
    /// Run <see cref="FileSystemObjectStore.RecoverAsync"/> (without the full sidecar scan) when the store is created:
    /// removes the staging folders of processes that died and rolls their completed writes forward. Default true.
    /// </summary>
    public bool RecoverOnStartup { get; set; } = true;
}

/// <summary>Validates <see cref="FileSystemStoreOptions"/> at start-up.</summary>
public sealed class FileSystemStoreOptionsValidator : IValidateOptions<FileSystemStoreOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, FileSystemStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var error = FileSystemObjectStore.ValidateRootPath(options.RootPath);
        return error is null ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(error);
    }
}

/// <summary>What <see cref="FileSystemObjectStore.RecoverAsync"/> found and repaired.</summary>
public sealed record FileSystemRecoveryReport
{
    /// <summary>Staging folders of dead processes that were removed.</summary>
    public int AbandonedStagingFolders { get; init; }

    /// <summary>Partly written content files (never visible) that were deleted.</summary>
    public int StagingFilesDeleted { get; init; }

    /// <summary>Sidecars of writes that had completed their content rename and were rolled forward.</summary>
    public int SidecarsRolledForward { get; init; }

    /// <summary>Missing or stale sidecars recomputed from the content (full scan only).</summary>
    public int SidecarsRepaired { get; init; }

    /// <summary>Sidecars without content that were removed (full scan only).</summary>
    public int OrphanSidecarsDeleted { get; init; }

    /// <summary>Empty folders removed (full scan only).</summary>
    public int EmptyFoldersRemoved { get; init; }
}
