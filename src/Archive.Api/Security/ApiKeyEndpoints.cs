using Archive.Security;
using Archive.Api.Http;
using Archive.Api.OpenApi;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Archive.Api.Security;

/// <summary>Body of <c>POST /api-keys</c>.</summary>
public sealed record CreateApiKeyRequest
{
    /// <summary>Name of the key (recorded as the user of changes and in the audit trail).</summary>
    public required string Name { get; init; }

    /// <summary>Roles granted (<see cref="ArchiveRoles"/>).</summary>
    public required IReadOnlyList<string> Roles { get; init; }

    /// <summary>Agencies the key belongs to.</summary>
    public IReadOnlyList<string>? Agencies { get; init; }

    /// <summary><c>secret</c> for secret clearance.</summary>
    public string? Clearance { get; init; }
}

/// <summary>An API key without its secret.</summary>
public sealed record ApiKeyDto
{
    /// <summary>Identifier (to revoke).</summary>
    public required string Id { get; init; }

    /// <summary>Name.</summary>
    public required string Name { get; init; }

    /// <summary>Roles.</summary>
    public required IReadOnlyList<string> Roles { get; init; }

    /// <summary>Agencies.</summary>
    public required IReadOnlyList<string> Agencies { get; init; }

    /// <summary>Clearance.</summary>
    public string? Clearance { get; init; }

    /// <summary>When created (stored keys).</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>Who created it.</summary>
    public string? CreatedBy { get; init; }

    /// <summary>When revoked; null while valid.</summary>
    public DateTimeOffset? RevokedAt { get; init; }

    /// <summary><c>store</c> or <c>configuration</c>.</summary>
    public required string Source { get; init; }

    /// <summary>The key itself: only in the answer to its creation.</summary>
    public string? Key { get; init; }

    internal static ApiKeyDto From(ApiKeyRecord r, string? key = null) => new()
    {
        Id = r.Id,
        Name = r.Name,
        Roles = r.Roles,
        Agencies = r.Agencies,
        Clearance = r.Clearance,
        CreatedAt = r.Source == "store" ? r.CreatedAt : null,
        CreatedBy = r.CreatedBy,
        RevokedAt = r.RevokedAt,
        Source = r.Source,
        Key = key,
    };
}

/// <summary>API keys: create (the key is shown once), list, revoke. Administrators only.</summary>
internal static class ApiKeyEndpoints
{
    public static void Map(IEndpointRouteBuilder routes)
    {
        var keys = routes.MapGroup("/api-keys").WithTags("API keys");
        keys.MapPost("/", Create).WithName("CreateApiKey")
            .WithSummary("Create an API key; the answer holds the key, shown only this once (stored as its SHA-256)")
            .AcceptsJson<CreateApiKeyRequest>()
            .RequireAuthorization(ArchivePolicies.Admin);
        keys.MapGet("/", List).WithName("ListApiKeys").WithSummary("List API keys (stored and configured), without secrets")
            .RequireAuthorization(ArchivePolicies.Admin);
        keys.MapDelete("/{id}", Revoke).WithName("RevokeApiKey").WithSummary("Revoke a stored API key (kept, marked revoked)")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequireAuthorization(ArchivePolicies.Admin);
    }

    private static async Task<Created<ApiKeyDto>> Create(HttpContext http, CancellationToken cancellationToken)
    {
        var store = Store(http);
        var body = await JsonBody.ReadAsync<CreateApiKeyRequest>(http.Request, cancellationToken).ConfigureAwait(false);
        var (key, record) = await store.CreateAsync(new ApiKeySpec(body.Name, body.Roles, body.Agencies, body.Clearance), RequestContext.User(http).Name, cancellationToken).ConfigureAwait(false);
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Created(Links.Child(http, record.Id), ApiKeyDto.From(record, key));
    }

    private static async Task<Ok<List<ApiKeyDto>>> List(HttpContext http, CancellationToken cancellationToken)
    {
        var all = await Store(http).ListAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(all.Select(r => ApiKeyDto.From(r)).ToList());
    }

    private static async Task<Ok<ApiKeyDto>> Revoke(string id, HttpContext http, CancellationToken cancellationToken)
    {
        var revoked = await Store(http).RevokeAsync(id, RequestContext.User(http).Name, cancellationToken).ConfigureAwait(false)
            ?? throw new ArchiveNotFoundException("api-key", id);
        return TypedResults.Ok(ApiKeyDto.From(revoked));
    }

    private static ApiKeyStore Store(HttpContext http)
        => http.RequestServices.GetService<ApiKeyStore>()
           ?? throw new ApiRequestException(StatusCodes.Status404NotFound, "api-key", "apikey.store-absent", "This host does not use the Archive's API keys (services.AddArchiveAuthentication was not called).");
}
