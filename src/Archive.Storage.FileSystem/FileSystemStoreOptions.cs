using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Archive.Storage.FileSystem;

/// <summary>Options of <see cref="FileSystemObjectStore"/>.</summary>
public sealed class FileSystemStoreOptions : IValidatableObject
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

    /// <summary>
    /// How writes are made durable before they are acknowledged. Default <see cref="FileSystemDurability.Fsync"/>;
    /// <see cref="FileSystemDurability.GroupSync"/> gives more writes per second under concurrency when the store has
    /// its own volume (see docs/benchmarks.md).
    /// </summary>
    public FileSystemDurability Durability { get; set; } = FileSystemDurability.Fsync;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var error = FileSystemObjectStore.ValidateRootPath(RootPath);
        if (error is null && !Enum.IsDefined(Durability))
        {
            error = $"FileSystemStoreOptions.Durability '{Durability}' is not one of Fsync, GroupSync.";
        }

        return error is null ? [] : [new ValidationResult(error)];
    }
}

/// <summary>How <see cref="FileSystemObjectStore"/> makes a write durable before acknowledging it.</summary>
/// <remarks>Both keep the same guarantees: content and sidecar are on disk before they appear under their names, and a
/// write is on disk (names included) before the call returns. They differ in cost under concurrency.</remarks>
public enum FileSystemDurability
{
    /// <summary>
    /// Each write fsyncs its staged content and sidecar, then each folder it changed (four or more fsyncs per write).
    /// Cheapest for a single writer on a file system that other programs write to heavily.
    /// </summary>
    Fsync,

    /// <summary>
    /// Group commit: a write stages its content and sidecar, waits for a shared <c>syncfs(2)</c> of the store's file
    /// system, renames them into place and waits for the next shared flush. Concurrent writes share the flushes, so
    /// many small writes (record ingest) cost a few flushes instead of four fsyncs each. The flush covers the whole
    /// file system: put the store on its own volume when other programs write a lot to the same one. Linux only;
    /// elsewhere the store falls back to <see cref="Fsync"/>.
    /// </summary>
    GroupSync,
}

/// <summary>
/// Validates <see cref="FileSystemStoreOptions"/> at start-up (source-generated: the rules are
/// <see cref="FileSystemStoreOptions.Validate(ValidationContext)"/>); every message names the option and its rule.
/// </summary>
[OptionsValidator]
public sealed partial class FileSystemStoreOptionsValidator : IValidateOptions<FileSystemStoreOptions>
{
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
