using Xunit;
using Archive.Hosting;
using Archive.Records;
using Archive.Search;
using Archive.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Moq;

namespace Archive.Core.Tests.Records;

public sealed class HostingTests
{
    [Fact]
    public void Options_are_validated_at_start_up()
    {
        var services = new ServiceCollection();
        services.AddArchive(o =>
        {
            o.DataPath = "relative/path";
            o.MaxUploadBytes = 0;
            o.YearsToTransfer = -1;
        });
        using var sp = services.BuildServiceProvider();
        var ex = Assert.Throws<OptionsValidationException>(() => sp.GetRequiredService<IStartupValidator>().Validate());
        var text = string.Join("\n", ex.Failures);
        Assert.Contains("DataPath must be an absolute path", text, StringComparison.Ordinal);
        Assert.Contains(nameof(ArchiveOptions.MaxUploadBytes), text, StringComparison.Ordinal);
        Assert.Contains(nameof(ArchiveOptions.YearsToTransfer), text, StringComparison.Ordinal);

        var missing = new ServiceCollection();
        missing.AddArchive(_ => { });
        using var sp2 = missing.BuildServiceProvider();
        Assert.Contains(nameof(ArchiveOptions.DataPath), Assert.Throws<OptionsValidationException>(() => sp2.GetRequiredService<IStartupValidator>().Validate()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Defaults_are_embedded_and_a_provider_registered_afterwards_wins()
    {
        var path = Path.Combine(Path.GetTempPath(), "archive-core-tests", Guid.NewGuid().ToString("N"));
        try
        {
            var defaults = new ServiceCollection();
            defaults.AddArchive(o => o.DataPath = path);
            using (var sp = defaults.BuildServiceProvider())
            {
                sp.GetRequiredService<IStartupValidator>().Validate();
                Assert.IsType<Archive.Storage.FileSystem.FileSystemObjectStore>(sp.GetRequiredService<IObjectStore>());
                Assert.IsType<Archive.Search.Lucene.LuceneSearchIndex>(sp.GetRequiredService<ISearchIndex>());
                var files = Assert.IsType<Archive.Audit.AuditedPackageStore>(sp.GetRequiredService<ArchiveStorage>().Files);
                Assert.NotNull(Archive.Packages.PackageStoreExtensions.GetService<Archive.Packages.OcflPackageStore>(files));
                Assert.NotNull(sp.GetRequiredService<RecordFileService>());
            }

            // A provider package's registration replaces the defaults (registration is not resolution: nothing is built here).
            var store = new Mock<IObjectStore>(MockBehavior.Strict).Object;
            var index = new Mock<ISearchIndex>(MockBehavior.Strict).Object;
            var custom = new ServiceCollection();
            var builder = custom.AddArchive(o => o.DataPath = path);
            Assert.Same(custom, builder.Services);
            builder.Services.AddSingleton(store);
            builder.Services.AddSingleton(index);
            using var sp3 = custom.BuildServiceProvider();
            Assert.Same(store, sp3.GetRequiredService<ArchiveStorage>().Objects);
            Assert.Same(index, sp3.GetRequiredService<Archive.Indexing.RecordIndexer>().Index);
        }
        finally
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
    }
}
