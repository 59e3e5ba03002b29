using Archive.Testing.Storage;

namespace Archive.Storage.FileSystem.Tests;

/// <summary>The shared object-store contract, run against a fresh folder per test.</summary>
public sealed class FileSystemObjectStoreConformanceTests : FileSystemConformanceBase
{
    protected override FileSystemDurability Durability => FileSystemDurability.Fsync;
}

/// <summary>The same contract with group commit (<see cref="FileSystemDurability.GroupSync"/>).</summary>
public sealed class FileSystemGroupSyncConformanceTests : FileSystemConformanceBase
{
    protected override FileSystemDurability Durability => FileSystemDurability.GroupSync;
}

public abstract class FileSystemConformanceBase : ObjectStoreConformanceTests
{
    private readonly TempRoot _root = new("conformance");

    protected abstract FileSystemDurability Durability { get; }

    protected override bool SupportsRetention => true;

    protected override bool SupportsOrderedBatch => true;

    protected override bool SupportsStaging => true;

    protected override RetentionEnforcement? ExpectedEnforcement => RetentionEnforcement.Advisory;

    protected override ObjectStoreCapabilities ExpectedCapabilities => ObjectStoreCapabilities.AtomicCreateOnly | ObjectStoreCapabilities.NativeRangedRead;

    protected override ValueTask<IObjectStore> CreateStoreAsync()
        => ValueTask.FromResult<IObjectStore>(new FileSystemObjectStore(new FileSystemStoreOptions { RootPath = _root.Path, Durability = Durability }));

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _root.Dispose();
    }
}

public sealed class SuiteCoverageTests
{
    [Fact]
    public void Every_storage_conformance_suite_is_run() =>
        Archive.Testing.Support.SuiteCoverage.AssertEverySuiteImplemented(typeof(SuiteCoverageTests).Assembly, "Archive.Testing.Storage");
}
