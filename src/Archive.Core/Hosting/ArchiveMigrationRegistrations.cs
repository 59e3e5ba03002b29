using Archive.Audit;
using Archive.Migration;
using Archive.Records;
using Archive.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Archive.Hosting;

/// <summary>The part of <c>AddArchive</c> for bulk migration from e-office exports (issue #19 item 2).</summary>
internal static class ArchiveMigrationRegistrations
{
    public static void AddMigration(IServiceCollection services)
    {
        services.AddOptions<MigrationOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MigrationOptions>, MigrationOptionsValidator>());
        services.TryAddSingleton(sp => new MigrationService(
            sp.GetRequiredService<RecordFileService>(),
            sp.GetRequiredService<FondsRegistry>(),
            RequiredServices.ObjectStore(sp),
            sp.GetRequiredService<IOptions<ArchiveOptions>>(),
            sp.GetRequiredService<IOptions<MigrationOptions>>(),
            sp.GetService<IArchiveAccessPolicy>(),
            sp.GetService<IAuditTrail>(),
            sp.GetService<StorageLeases>(),
            sp.GetService<IRuleMessageLocalizer>(),
            sp.GetService<TimeProvider>(),
            sp.GetService<ILogger<MigrationService>>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, MigrationWorker>(sp => new MigrationWorker(
            sp.GetRequiredService<MigrationService>(),
            sp.GetService<ILogger<MigrationWorker>>())));
    }
}

/// <summary>Validates <see cref="MigrationOptions"/> at start-up, naming every key that is wrong.</summary>
internal sealed class MigrationOptionsValidator : IValidateOptions<MigrationOptions>
{
    public ValidateOptionsResult Validate(string? name, MigrationOptions options)
    {
        var failures = options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)).Select(r => r.ErrorMessage ?? "Archive:Migration is invalid.").ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
