from finplatform.roles import role_of


def roles(request):
    return {"user_role": role_of(request.user) if request.user.is_authenticated else None}
