import zkit
