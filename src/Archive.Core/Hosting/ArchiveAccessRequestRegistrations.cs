using Archive.Access;
using Archive.Audit;
using Archive.Records;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Archive.Hosting;

/// <summary>The part of <c>AddArchive</c> for researchers' access requests (issue #19 item 3).</summary>
internal static class ArchiveAccessRequestRegistrations
{
    public static void AddAccessRequests(IServiceCollection services)
    {
        services.AddSingleton(new ArchiveCollectionRoot(AccessRequestService.RequestsRoot)); // duplicates are harmless: ArchiveStorage opens each root once
        services.AddOptions<AccessRequestOptions>()
            .Validate(o => o.Problems().Count == 0, "Archive:AccessRequests is not valid: DefaultValidDays 1..MaxValidDays, MaxValidDays 1..3660, MaxTextLength 10..100000.")
            .ValidateOnStart();
        services.TryAddSingleton(sp => new AccessRequestService(
            sp.GetRequiredService<ArchiveStorage>().Open(AccessRequestService.RequestsRoot),
            sp.GetRequiredService<RecordFileService>(),
            sp.GetRequiredService<FondsRegistry>(),
            sp.GetRequiredService<IOptions<AccessRequestOptions>>().Value,
            sp.GetService<IAuditTrail>(),
            sp.GetService<TimeProvider>(),
            sp.GetService<ILogger<AccessRequestService>>(),
            sp.GetService<Archive.Search.ISearchIndex>()));
    }
}
