using Archive.Audit;
using Archive.Core.Tests.Records;
using Archive.Packages;
using Archive.Records;
using Archive.Reorganisation;
using Archive.Storage;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Archive.Core.Tests.Reorganisation;

/// <summary>Events, plans and disposition decisions are collections of the storage: recovered at start-up, fixity-checked.</summary>
public sealed class CollectionRecoveryTests
{
    [Fact]
    public async Task Event_plan_and_decision_roots_are_opened_with_the_storage_and_recovered_after_an_abandoned_version()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var h = ReorgFixture.Create();
        var storage = h.Services.GetRequiredService<ArchiveStorage>();

        // Opened with the storage, before any reorganisation service exists.
        var names = storage.Collections.Select(c => c.Name).ToList();
        Assert.Contains("events", names);
        Assert.Contains("plans", names);
        Assert.Contains("dispositions", names);

        await h.SeedCommunesAsync();
        var input = ReorgFixture.Consolidation();
        await h.Events().RecordAsync(input, ArchiveHarness.User, ct);
        var events = storage.Open(ReorganisationService.EventsRoot);
        Assert.NotNull(await events.GetInventoryAsync(input.Id, ct)); // the service writes through the same instance

        // A crash after the next version was claimed but before it was committed leaves vN/inventory.json behind;
        // start-up recovery reaches the events collection and removes it.
        var ocfl = events.GetService<OcflPackageStore>()!;
        var head = (await events.GetInventoryAsync(input.Id, ct))!.Head;
        var claim = ocfl.GetObjectRoot(input.Id).TrimEnd('/') + $"/v{head + 1}/inventory.json";
        await h.Objects.PutAsync(claim, new MemoryStream("{}"u8.ToArray()), new PutObjectOptions { CreateOnly = true }, ct);
        var reports = await storage.RecoverAsync(ct);
        Assert.Equal(1, reports.Single(r => r.Name == "events").Report.AbandonedVersionsRemoved);
        var applied = await h.Events().ApplyAsync(input.Id, ReorgFixture.Effective, ArchiveHarness.User, ct);
        Assert.Equal(ReorganisationEventStatus.Applied, applied.Event.Status);

        // Whole-store fixity covers the events too.
        var fixity = await h.Files.VerifyAllAsync(ct).ToListAsync(ct);
        Assert.Contains(fixity, f => f.Collection == "events");
    }
}
