using Archive.Testing.Support;
using Xunit;

namespace Archive.Search.Lucene.Tests;

public class SuiteCoverageTests
{
    [Fact]
    public void Every_search_conformance_suite_runs_against_lucene()
        => SuiteCoverage.AssertEverySuiteImplemented(typeof(SuiteCoverageTests).Assembly, "Archive.Testing.Search");
}
