using Archive.Api.Tests.Support;
using Archive.Indexing;
using Archive.Search;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using static Archive.Api.Tests.Support.Api;

namespace Archive.Api.Tests;

/// <summary>A host whose pending-index run comes every 200 ms instead of every minute.</summary>
public sealed class PendingIndexApiFactory : ApiFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Archive:Api:PendingIndexInterval", "00:00:00.200");
    }
}

/// <summary>Record files flagged for reindex are indexed by the running host, not only at its next start.</summary>
public sealed class PendingIndexTests(PendingIndexApiFactory factory) : IClassFixture<PendingIndexApiFactory>
{
    private const string P = ApiFactory.Prefix;

    [Fact]
    public async Task A_record_file_flagged_for_reindex_is_indexed_while_the_host_runs()
    {
        var client = factory.CreateClient();
        var (agencyId, fondsCode) = await SeedAsync(client);
        var fileCode = await CreateRecordFileAsync(client, fondsCode, "09.PEND");
        var search = factory.Services.GetRequiredService<ISearchIndex>();
        var indexer = factory.Services.GetRequiredService<RecordIndexer>();
        Assert.True(await factory.Services.GetRequiredService<Archive.Records.RecordFileService>().WaitForProjectionAsync(TimeSpan.FromSeconds(30), Ct));

        // As if its index update had failed: gone from the index, flagged for reindex.
        await search.DeleteAsync([fileCode], Ct);
        Assert.False(await FoundAsync(client, agencyId, fileCode));
        await indexer.FlagPendingAsync(fileCode, "test: index update failed", Ct);

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await FoundAsync(client, agencyId, fileCode))
        {
            Assert.True(DateTime.UtcNow < deadline, "the flagged record file was not indexed within 30 s");
            await Task.Delay(100, Ct);
        }

        Assert.DoesNotContain(fileCode, await indexer.ListPendingAsync(Ct));
    }

    private static async Task<bool> FoundAsync(HttpClient client, string agencyId, string fileCode)
    {
        var hits = await client.GetAsync($"{P}/search?filter=agency:{agencyId}&consistent=true", Ct).ExpectAsync(200);
        return hits["hits"]!.AsArray().Any(h => (string?)h!["id"] == fileCode);
    }
}
