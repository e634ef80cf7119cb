using System.Linq.Expressions;

namespace Scoda.Market.Web.Infrastructure.Paging;

/// <summary>
/// The keyset condition every list endpoint pages with: order by (time, id), keep the rows past the cursor, take one
/// more row than the page holds so <see cref="PageRequest.ToPage{T}"/> can tell whether another page follows.
/// </summary>
public static class Keyset
{
    /// <summary>Newest first: the rows strictly before the cursor's (time, id).</summary>
    public static IQueryable<T> PageNewestFirst<T>(this IQueryable<T> query, PageRequest page,
        Expression<Func<T, DateTimeOffset>> time, Expression<Func<T, Guid>> id)
    {
        if (page.After is { } after)
        {
            query = query.Where(Past(after, time, id, Expression.LessThan));
        }
        return query.OrderByDescending(time).ThenByDescending(id).Take(page.Limit + 1);
    }

    /// <summary>Oldest first (queues): the rows strictly after the cursor's (time, id).</summary>
    public static IQueryable<T> PageOldestFirst<T>(this IQueryable<T> query, PageRequest page,
        Expression<Func<T, DateTimeOffset>> time, Expression<Func<T, Guid>> id)
    {
        if (page.After is { } after)
        {
            query = query.Where(Past(after, time, id, Expression.GreaterThan));
        }
        return query.OrderBy(time).ThenBy(id).Take(page.Limit + 1);
    }

    /// <summary><c>time ⋚ at || (time == at &amp;&amp; id ⋚ cursorId)</c>, with the cursor's values as query parameters.</summary>
    static Expression<Func<T, bool>> Past<T>(Cursor after, Expression<Func<T, DateTimeOffset>> time, Expression<Func<T, Guid>> id,
        Func<Expression, Expression, BinaryExpression> beyond)
    {
        var row = Expression.Parameter(typeof(T), "row");
        var rowTime = new Rebind(time.Parameters[0], row).Visit(time.Body);
        var rowId = new Rebind(id.Parameters[0], row).Visit(id.Body);
        // Members of a captured object, as a closure gives: EF Core sends them as parameters and reuses the plan.
        var bound = Expression.Constant(new Bound(after.At, after.Id));
        var at = Expression.Field(bound, nameof(Bound.At));
        var cursorId = Expression.Field(bound, nameof(Bound.Id));
        var condition = Expression.OrElse(
            beyond(rowTime, at),
            Expression.AndAlso(Expression.Equal(rowTime, at), beyond(rowId, cursorId)));
        return Expression.Lambda<Func<T, bool>>(condition, row);
    }

    sealed class Bound(DateTimeOffset at, Guid id)
    {
        public readonly DateTimeOffset At = at;
        public readonly Guid Id = id;
    }

    sealed class Rebind(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : base.VisitParameter(node);
    }
}
