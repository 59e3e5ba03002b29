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
    public void The_engine_registers_no_provider_and_says_which_call_adds_one()
    {
        var services = new ServiceCollection();
        services.AddArchive(o => o.DataPath = Path.GetTempPath()).AddReorganisation().AddTransfer();
        using var sp = services.BuildServiceProvider();
        Assert.Null(sp.GetService<IObjectStore>());
        Assert.Null(sp.GetService<ISearchIndex>());
        Assert.Contains(".AddEmbeddedDefaults()", Assert.Throws<InvalidOperationException>(() => sp.GetRequiredService<ArchiveStorage>()).Message, StringComparison.Ordinal);

        // With a store but no index; then with both but no document writer.
        var store = new Mock<IObjectStore>(MockBehavior.Loose).Object;
        var partial = new ServiceCollection();
        partial.AddArchive(o => o.DataPath = Path.GetTempPath()).AddReorganisation().AddTransfer();
        partial.AddSingleton(store);
        using var sp2 = partial.BuildServiceProvider();
        Assert.Contains("ISearchIndex", Assert.Throws<InvalidOperationException>(() => sp2.GetRequiredService<RecordFileService>()).Message, StringComparison.Ordinal);

        partial.AddSingleton(new Mock<ISearchIndex>(MockBehavior.Loose).Object);
        using var sp3 = partial.BuildServiceProvider();
        Assert.Contains(".AddOpenXmlDocuments()", Assert.Throws<InvalidOperationException>(() => sp3.GetRequiredService<Archive.Handover.HandoverService>()).Message, StringComparison.Ordinal);
        Assert.Contains(".AddOpenXmlDocuments()", Assert.Throws<InvalidOperationException>(() => sp3.GetRequiredService<Archive.Transfer.TransferService>()).Message, StringComparison.Ordinal);
    }
}
