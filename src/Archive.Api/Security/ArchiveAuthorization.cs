using Archive.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Archive.Api.Security;

/// <summary>Which roles satisfy which <see cref="ArchivePolicies"/> policy (the matrix in <c>docs/security.md</c>).</summary>
public static class ArchivePolicyRoles
{
    private static readonly Dictionary<string, string[]> Map = new(StringComparer.Ordinal)
    {
        [ArchivePolicies.Read] = [.. ArchiveRoles.All],
        [ArchivePolicies.Write] = [ArchiveRoles.Clerk, ArchiveRoles.Archivist, ArchiveRoles.AgencyHead, ArchiveRoles.Administrator],
        [ArchivePolicies.Manage] = [ArchiveRoles.Archivist, ArchiveRoles.AgencyHead, ArchiveRoles.Administrator],
        [ArchivePolicies.Dispose] = [ArchiveRoles.AgencyHead, ArchiveRoles.Administrator],
        [ArchivePolicies.Accession] = [ArchiveRoles.HistoricalArchives, ArchiveRoles.Administrator],
        [ArchivePolicies.Audit] = [ArchiveRoles.Supervisor, ArchiveRoles.Administrator],
        [ArchivePolicies.Admin] = [ArchiveRoles.Administrator],
    };

    /// <summary>Every policy name.</summary>
    public static IReadOnlyList<string> Policies { get; } = [.. Map.Keys];

    /// <summary>The roles that satisfy <paramref name="policy"/> (empty for an unknown name).</summary>
    public static IReadOnlyList<string> RolesOf(string policy) => Map.TryGetValue(policy, out var roles) ? roles : [];

    /// <summary>Whether an anonymous caller satisfies <paramref name="policy"/> when the anonymous reading room is on (only <see cref="ArchivePolicies.Read"/>).</summary>
    public static bool AllowsAnonymousReader(string policy) => policy == ArchivePolicies.Read;
}

/// <summary>The caller has one of the policy's roles (or is an anonymous reader of the reading room, for Read).</summary>
internal sealed class ArchiveRoleRequirement(string policy) : IAuthorizationRequirement
{
    public string Policy { get; } = policy;
}

internal sealed class ArchiveRoleHandler(IOptionsMonitor<ArchiveApiOptions> options) : AuthorizationHandler<ArchiveRoleRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ArchiveRoleRequirement requirement)
    {
        if (HttpCaller.IsAuthenticated(context.User))
        {
            var roles = HttpCaller.Roles(context.User);
            if (ArchivePolicyRoles.RolesOf(requirement.Policy).Any(roles.Contains))
            {
                context.Succeed(requirement);
            }
        }
        else if (ArchivePolicyRoles.AllowsAnonymousReader(requirement.Policy) && options.CurrentValue.AnonymousReadingRoom && !PresentsCredentials(context.Resource))
        {
            // Only a caller that presented no credentials is an anonymous reader: a rejected key or token gets 401.
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }

    private static bool PresentsCredentials(object? resource)
    {
        var http = resource as HttpContext;
        return http is null
            || http.Request.Headers.ContainsKey(Microsoft.Extensions.DependencyInjection.ArchiveAuthenticationDefaults.ApiKeyHeader)
            || http.Request.Headers.ContainsKey("Authorization");
    }
}

/// <summary>Audits refusals by the authorization middleware (403 for an authenticated caller without the role).</summary>
internal sealed class ArchiveAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Forbidden && context.GetEndpoint()?.Metadata.GetMetadata<Api.OpenApi.ArchiveEndpointMetadata>() is not null)
        {
            var name = policy.Requirements.OfType<ArchiveRoleRequirement>().FirstOrDefault()?.Policy ?? "policy";
            context.Items[Http.FrameworkProblems.RefusedPolicyItem] = name;
            await ArchiveScope.AuditDeniedAsync(context, "endpoint", context.Request.Method + " " + context.Request.Path, "role lacks " + name, context.RequestAborted).ConfigureAwait(false);
        }

        await _default.HandleAsync(next, context, policy, authorizeResult).ConfigureAwait(false);
    }
}

/// <summary>Registers the policies.</summary>
internal static class ArchiveAuthorization
{
    public static void AddPolicies(IServiceCollection services)
    {
        services.AddAuthorizationBuilder();
        services.AddOptions<AuthorizationOptions>().Configure(o =>
        {
            foreach (var policy in ArchivePolicyRoles.Policies)
            {
                if (o.GetPolicy(policy) is null)
                {
                    o.AddPolicy(policy, b => b.AddRequirements(new ArchiveRoleRequirement(policy)));
                }
            }
        });
        services.AddSingleton<IAuthorizationHandler, ArchiveRoleHandler>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ArchiveAuthorizationResultHandler>();
    }
}
