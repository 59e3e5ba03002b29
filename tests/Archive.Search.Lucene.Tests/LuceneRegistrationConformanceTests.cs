using Archive.Testing.DependencyInjection;
using Archive.Testing.Support;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Archive.Search.Lucene.Tests;

/// <summary>The shared registration contract for <c>AddLuceneSearch</c>.</summary>
public sealed class LuceneRegistrationConformanceTests : RegistrationConformanceTests<ISearchIndex, LuceneSearchIndex>
{
    protected override IArchiveBuilder AddArchive(IServiceCollection services) => services.AddArchive(o => o.DataPath = DataPath);

    protected override void AddProvider(IArchiveBuilder builder) => builder.AddLuceneSearch(o => o.IndexPath = Path.Combine(DataPath, "provider-index"));

    protected override string AddProviderWithInvalidOption(IArchiveBuilder builder)
    {
        builder.AddLuceneSearch(o =>
        {
            o.IndexPath = Path.Combine(DataPath, "provider-index");
            o.RamBufferSizeMb = 0;
        });
        return "LuceneSearchOptions.RamBufferSizeMb";
    }
}

public class RegistrationSuiteCoverageTests
{
    [Fact]
    public void Every_registration_conformance_suite_is_run()
        => SuiteCoverage.AssertEverySuiteImplemented(typeof(RegistrationSuiteCoverageTests).Assembly, SuiteCoverage.DependencyInjection);
}
