"""Report texts for the demo events: what a caller, a grid worker or a patrol would write.

:func:`describe_events` fills the event table's optional ``description`` column (see
:mod:`cockpit.datasets.schema`) for the events a person reports (hotline, grid worker, patrol,
drone); events raised by a sensor or a camera keep it empty. The texts are made to be *hard* for
a router, because the hotline's are:

- many phrasings per kind of problem (5–9 each, written here), Chongqing colloquial speech
  (噻, 嘛, 莫得, 咋个, 遭), fillers and greetings;
- the context that distinguishes a type's variants (学校周边, 地下空间 …) said in one of several
  ways, and left out in 15 % of the reports (then the variant cannot be told from the text);
- irrelevant sentences (the weather, an earlier call, another place the caller went to), a
  second problem of another kind in 18 % of the reports;
- typos and homophones (漏→露, 在→再, 燃→然 …) in 25 %, traditional characters in 5 %;
- the place as a district, street or community name, in full or short (渝中区/渝中,
  解放碑街道/解放碑), sometimes with a typo, and missing in a quarter of the reports;
- lengths from a few characters to about two thousand (a long complaint repeating itself).

Everything is drawn from one random generator seeded by the dataset's seed, so a dataset is
reproducible; the event table's other columns are not touched. The event type's kind is read
from its id (``ET-<KIND>`` or ``ET-<KIND>-NN``) and its context from the name's brackets, so this
module does not import the generator.
"""

from __future__ import annotations

import functools
import re

import numpy as np
import pyarrow as pa

__all__ = ["describe_events", "PHRASES", "CONTEXT_PHRASES", "HUMAN_SOURCES", "to_traditional",
           "kind_of_type", "context_of_name"]

#: Sources whose events carry a report text.
HUMAN_SOURCES = ("hotline", "grid_worker", "patrol", "drone")

#: How people describe each kind of problem (the kind is the type id without ``ET-`` and the
#: variant number).
PHRASES: dict[str, tuple[str, ...]] = {
    "WATER-MAIN-BURST": (
        "路中间的大水管爆了，水冲起好高，路面都淹了", "自来水主管道破裂，水哗哗往外冒",
        "地下管子爆开了，水像喷泉一样", "供水大管爆管了，整条路都是水，车子都过不去",
        "水管炸了，路面拱起来了在冒水", "好粗一根水管爆了，水流成河了",
        "主水管破了个大口子，喷水喷得老高"),
    "WATER-LEAK": (
        "人行道上一直在渗水，怕是下面水管漏了", "路边有个地方天天冒水，水表那里漏水",
        "小区里自来水管漏水好几天了，浪费得很", "地上一直湿的，有清水往外渗",
        "供水管子在滴水，哗啦啦的流",
        "墙角那个水管接头漏水", "路面裂缝里一直往外冒清水"),
    "WATER-OUTAGE": (
        "我们这一片停水了，又没得通知", "家里水龙头莫得水了，一滴都没有",
        "从早上开始就停水了，饭都煮不成",
        "自来水断了好久了，啥时候来水嘛", "整栋楼都没水用，厕所都冲不了",
        "突然停水，也不说好久恢复"),
    "WATER-PRESSURE": (
        "水压好小哦，楼上根本上不去水", "水龙头出水跟滴眼药水一样，水压太低",
        "自来水时大时小，压力不稳定",
        "高层住户水压不够，热水器都打不燃", "水压突然变得好大，水管都在响"),
    "DRAIN-BLOCK": (
        "下水道堵了，污水漫出来臭得很", "排水沟堵起了，脏水流到路上", "污水井往外冒黑水，臭死人了",
        "雨水篦子被垃圾堵死了，水排不走", "小区化粪池那边下水管堵了在翻污水", "阴沟堵塞，一股臭味",
        "下水管道不通，厨房的水都倒灌"),
    "WATERLOGGING": (
        "下大雨路上积水好深，都淹到小腿了", "这段路一下雨就变成河了，车子熄火",
        "涵洞下面积水过不去了",
        "路面积水严重，人都走不过去", "雨水排不出去，街上都淹了",
        "下穿道积了好深的水，有车子泡到起了",
        "门口水淹起来了，快漫进屋头了"),
    "MANHOLE": (
        "路上井盖不见了，一个大洞好危险", "井盖烂了一半，晚上看不到要摔人",
        "窨井盖松动了，车子压过去哐哐响",
        "人行道上的井盖塌下去了", "有个下水井没得盖子，小娃儿掉下去咋个办",
        "井盖被偷了，只剩个黑窟窿",
        "检查井盖子翘起来了，绊倒了好几个人"),
    "GAS-LEAK": (
        "楼道里好大一股天然气味道，怕是漏气了", "闻到燃气味，很冲，不敢开灯",
        "天然气管子在漏气，嘶嘶的响",
        "屋头煤气味好重，我们都跑出来了", "街边燃气管道有泄漏，一股臭鸡蛋味",
        "燃气表那里漏气了，好吓人",
        "厨房天然气阀门关不严，一直有气味"),
    "GAS-PRESSURE": (
        "天然气火好小，燃气压力不够", "燃气灶一会大一会小，气压不稳",
        "煤气火苗突然蹿好高，压力不对",
        "燃气管网压力异常，热水器老是熄火", "天然气压力太低了，饭都煮不熟"),
    "LPG-MISUSE": (
        "餐馆在用液化气罐，还放在过道上", "有人在地下室用煤气罐做饭",
        "饭店后厨摆了好多液化石油气钢瓶",
        "小吃摊用液化气罐，就放在人行道上", "出租屋里面私自用瓶装气，太危险了"),
    "BIOGAS": (
        "化粪池那里冒臭气，有沼气味", "化粪池盖子边上闻到好冲的气味，怕爆炸",
        "小区化粪池沼气好大，人都熏晕了",
        "粪池井口在冒泡，臭气熏天", "化粪池甲烷超标，之前还炸过"),
    "HIGHRISE-FIRE": (
        "高楼着火了，好多烟在往外冒", "对面楼上起火了，火好大，快来救火",
        "二十几楼冒黑烟，看到明火了",
        "楼上有人家里失火了，烟子好大", "高层住宅阳台起火了，快点来", "大楼里面着火了，有人被困"),
    "FIRE-PASSAGE": (
        "消防通道被车子堵死了，消防车根本进不来", "楼下消防通道全是乱停的车",
        "安全出口被杂物堵起了",
        "消防车道上堆满了东西", "有人把车停在消防通道上，说了也不挪", "楼梯间消防通道被锁起了"),
    "EBIKE-CHARGING": (
        "有人把电瓶车推到楼道里充电", "电动车在屋头充电，电线从窗子拉下来",
        "飞线充电，电线吊在楼上",
        "楼道里停了好多电瓶车在充电，着火咋办", "有人在电梯里推电动车上楼充电",
        "电动自行车违规充电，插座都烧黑了"),
    "FIRE-FACILITY": (
        "楼里的消防栓没得水", "灭火器过期好几年了", "消防设施坏了没人修，喷淋头都是坏的",
        "烟感报警器一直乱响", "消火栓箱子是空的，水带都没得", "应急灯和疏散指示灯都不亮了"),
    "FOREST-FIRE": (
        "山上冒烟了，好像起山火了", "看到山林里有火，烧得好大", "后山着火了，烟子一大片",
        "林子里有明火，风好大快烧过来了", "有人上坟烧纸把山烧燃了", "山坡上的树子烧起来了"),
    "ROCKFALL": (
        "山上垮石头下来了，把路都堵了", "岩壁上掉石头，差点砸到人", "滑坡了，泥巴石头冲下来了",
        "危岩松动，有石头滚下来", "后山塌方了，房子后面垮了一大块", "崖上落石，车子都被砸了"),
    "SLOPE-DEFORM": (
        "边坡开裂了，裂缝越来越大", "挡土墙鼓起来了，怕要垮", "护坡往下沉，地上有裂口",
        "堡坎开裂变形了", "边坡上的网都被撑破了，土在往下溜"),
    "RIVER-FLOOD": (
        "河水涨得好快，快漫上岸了", "河里水位超过警戒线了", "涨水了，河堤那边好危险",
        "溪沟水暴涨，桥都快淹了", "江水上涨，滨江路边都进水了"),
    "BRIDGE-ANOMALY": (
        "桥面有裂缝，过车的时候晃得凶", "桥上伸缩缝翘起来了", "大桥在抖，感觉不对头",
        "桥墩那里好像裂了", "桥上护栏松了，桥面下沉"),
    "BRIDGE-STRIKE": (
        "货车撞到桥了，桥梁被撞", "船撞到桥墩上了", "超高的车把限高架和桥底撞了",
        "大货车刮到桥了卡在下面"),
    "TUNNEL-CO": (
        "隧道里面空气好差，车子尾气呛人", "隧道里面好闷，一氧化碳味道重",
        "过隧道的时候闻到好大的废气，头都昏了",
        "隧道里面烟雾蒙蒙的看不清", "隧道通风好像坏了"),
    "TUNNEL-ACCIDENT": (
        "隧道里面两个车撞了，堵死了", "隧道里有车子追尾", "隧道口出车祸了", "隧道里一辆车翻了"),
    "TRAFFIC-ACCIDENT": (
        "路口两个车撞了，有人受伤", "出车祸了，摩托车和小车撞了", "有车子追尾了，在路中间",
        "公交车和私家车刮擦了", "一个骑电瓶车的被车撞了，躺在地上", "几个车连环追尾"),
    "CONGESTION": (
        "这条路堵死了，一动不动", "堵车堵了一个多小时", "路上车子排起长龙，走都走不动",
        "每天早高峰都堵得一塌糊涂", "车子堵起了好长一串"),
    "ILLEGAL-PARKING": (
        "有车子乱停在人行道上", "路边乱停车，把路都占完了", "车子停在路口，挡到过了",
        "小区门口违停好多车", "有个车停在盲道上好几天了", "大货车长期停在路边不走"),
    "SIGNAL-FAULT": (
        "路口红绿灯坏了，一直闪黄灯", "红绿灯不亮了，路口乱成一锅粥",
        "信号灯时间不对，绿灯只有几秒",
        "红绿灯全是红的，车子都不敢走", "交通灯黑起的"),
    "ROAD-DAMAGE": (
        "路上有个大坑，车子开过去颠得很", "路面塌了一块，好吓人", "马路坑坑洼洼的",
        "路面开裂了，还往下陷", "人行道地砖烂了，翘起来绊人", "路面出现塌陷，有个洞"),
    "STREETLIGHT": (
        "路灯坏了，晚上黑黢黢的", "这一排路灯都不亮", "路灯一闪一闪的", "晚上路灯不亮，走路好怕",
        "路灯白天都开着，晚上反而不亮", "灯杆歪了，灯也不亮"),
    "STREET-VENDING": (
        "有人在路边摆摊卖菜，占了人行道", "小贩占道经营，路都走不通", "夜市摊摊摆到马路上了",
        "流动摊贩在门口卖水果", "好多摊位占到路上", "有人推个三轮车在路上卖东西"),
    "MATERIAL-PILING": (
        "路边堆了好多建筑材料", "有人在人行道上乱堆砖头沙子", "楼下堆满了杂物没人清",
        "装修垃圾和材料堆在路上", "乱堆乱放，钢管木板堆了一大堆"),
    "EXPOSED-GARBAGE": (
        "路边好多垃圾没人收", "垃圾乱扔，臭烘烘的", "有人乱倒垃圾，堆成小山了",
        "草丛里全是垃圾", "河边上一堆垃圾", "生活垃圾随便丢在路边"),
    "GARBAGE-OVERFLOW": (
        "垃圾桶满了都没人来收", "垃圾箱装满了往外漫", "垃圾站好几天没清运，满出来了",
        "垃圾桶装不下了，倒了一地", "果皮箱满溢了"),
    "ILLEGAL-AD": (
        "墙上贴满了小广告", "有个广告牌歪了，要掉下来", "到处乱挂横幅", "楼顶的广告牌摇摇晃晃的",
        "电线杆上贴的牛皮癣广告", "店招私自搭出来好大一块"),
    "OUTSIDE-SHOP": (
        "店家把桌子摆到外面来了", "饭馆在门口摆摊占道", "商户在店门口经营，占了人行道",
        "门面把货摆出来一大截", "修车店在路边修车"),
    "ILLEGAL-BUILD": (
        "有人在楼顶搭违章建筑", "邻居私自扩建，占了公共区域", "有人在搞违建，晚上偷偷施工",
        "楼顶加盖了一层", "有人圈地盖房子，没有手续"),
    "SITE-DUST": (
        "工地灰尘好大，满天都是灰", "工地扬尘严重，窗子都不敢开", "工地没有洒水，灰扑扑的",
        "拆房子的时候粉尘飞得到处都是", "工地裸土没得盖网，一刮风全是灰"),
    "MUCK-TRUCK": (
        "渣土车撒了一路的泥巴", "泥头车开得飞快，还闯红灯", "渣土车没有盖篷布，土掉一地",
        "大车把路面弄得全是泥", "渣土车半夜跑，轰隆隆的"),
    "SITE-SAFETY": (
        "工地的塔吊好像歪了", "工地围挡倒了，砸到路上", "施工的脚手架不稳，晃得很",
        "工地基坑边上没有护栏", "工人在高处作业都没系安全带"),
    "ELEVATOR-TRAP": (
        "电梯坏了，有人被关在里面", "电梯卡在两层楼中间，里面有人", "电梯突然停了，人困起了",
        "电梯门打不开，我们被困在里头", "电梯困人了，有老人在里面"),
    "HOUSE-SAFETY": (
        "老房子墙壁开裂了，怕垮", "楼房裂缝越来越大", "房子有点歪，墙体开裂",
        "阳台要掉下来了", "屋顶漏雨，梁都快断了", "危房还住着人"),
    "NOISE": (
        "晚上施工太吵了，觉都睡不着", "广场舞音响开得好大声", "楼下KTV吵到半夜",
        "隔壁装修一天到晚电钻声", "有人半夜在外面大吵大闹", "夜宵店太吵了，吵得人睡不着"),
    "AIR-POLLUTION": (
        "工厂在冒黑烟，呛得很", "空气好差，一股刺鼻的味道", "有烟囱在排废气",
        "外面雾霾好重，还有怪味", "有人在露天焚烧垃圾，烟好大"),
    "RIVER-POLLUTION": (
        "河里的水变黑了，还在冒泡", "有人往河里排污水", "河里死了好多鱼", "小河沟水又臭又黑",
        "河面上漂了一层油"),
    "BBQ-SMOKE": (
        "楼下烧烤油烟好大，熏得窗子都不敢开", "露天烧烤烟子往屋头飘", "烧烤摊油烟扰民",
        "夜啤酒摊子烧烤烟雾弥漫", "烤串的烟子呛死人了"),
    "GREEN-DAMAGE": (
        "有人把绿化带里的树砍了", "草坪被踩得稀巴烂", "行道树倒了没人管", "有人在绿化带种菜",
        "花台被车子压坏了", "树子被人剥皮了"),
    "POWER-OUTAGE": (
        "停电了，整栋楼都黑了", "我们这一片突然停电", "屋头没电了，冰箱里的东西都要坏了",
        "断电好几个小时了", "又停电了，电梯都停了", "电一会来一会停"),
    "SUBSTATION-ALARM": (
        "变电站那边有异响，还冒烟", "配电房在冒火花", "变压器嗡嗡响，还有焦糊味", "电箱起火了"),
    "BASE-STATION-DOWN": (
        "手机没得信号了", "这一片打不通电话，网也断了", "信号基站好像坏了，一格信号都没有",
        "手机上不了网，电话也打不出去"),
    "CABLE-CUT": (
        "施工把光缆挖断了", "网线被挖断了，宽带用不了", "通信线路断了，整栋楼断网",
        "电话线被扯断了"),
    "TOUTING": (
        "出租车司机把我们拉到火锅店去宰客", "有人在车站拉客，带去吃贵得离谱的火锅",
        "司机非要推荐火锅店，吃完被宰了",
        "的哥拉客到指定火锅店拿回扣", "景区门口有人拉客去吃火锅"),
    "FOOD-SAFETY": (
        "在餐馆吃了饭拉肚子", "买的东西过期了还在卖", "饭店后厨好脏，有老鼠", "吃了外卖食物中毒了",
        "超市卖的肉有问题", "菜里面吃出虫子"),
    "PRICE-FRAUD": (
        "店家乱收费，价格跟标的不一样", "结账的时候多收钱", "明码标价是假的，宰客",
        "商家虚假打折", "买东西被坑了，价格翻倍"),
    "DISPUTE": (
        "邻居天天吵架，还要打起来了", "楼上楼下因为漏水吵起来了", "和邻居有矛盾，想找人调解",
        "两家人为了占地方闹得好凶", "家里人吵架，闹得不可开交"),
    "CROWDING": (
        "这里人好多，挤得走不动", "人太多了，怕发生踩踏", "广场上聚集了好多人",
        "地铁站人挤人", "景点人山人海，挤爆了"),
    "PUBLIC-ORDER": (
        "有人在打架", "有人偷东西，被我看到了", "有几个人在闹事", "有人喝醉了在街上耍酒疯",
        "有人在赌博", "有可疑人员在小区转来转去"),
    "ELDERLY-ALONE": (
        "隔壁独居的老人好几天没出门了", "楼上一个孤寡老人敲门不应", "独居老人好像生病了没人管",
        "老人家一个人住，电话也打不通", "邻居老大爷几天没见到了"),
    "PUBLIC-HEALTH": (
        "好多人都在发烧，怕是传染病", "小区里有人得了传染病", "学校好多学生拉肚子发烧",
        "有人被狗咬了，怕狂犬病", "好多人同时上吐下泻"),
    "HAZCHEM-LEAK": (
        "化工厂在漏东西，好刺鼻的味道", "一辆危化品车翻了在漏液体",
        "闻到很冲的化学品味道，眼睛都睁不开",
        "储罐在冒白烟，好像泄漏了", "油罐车漏油了"),
    "METRO-FAULT": (
        "轻轨停在半路上不走了", "地铁故障了，一直不开门", "轨道交通晚点好久了",
        "轻轨停运了，站台上全是人", "地铁里面突然停电了"),
    "WILD-SWIMMING": (
        "有人在河里游野泳，好危险", "有人在江边钓鱼，那里水好急", "几个娃儿在水库里洗澡",
        "有人翻过护栏去河边游泳", "有人在禁止垂钓的地方钓鱼"),
}

#: How people say a type's context (the part of its name in brackets).
CONTEXT_PHRASES: dict[str, tuple[str, ...]] = {
    "主干道": ("大马路上", "主干道上", "大路边上"), "次干道": ("支路上", "次干道", "小马路上"),
    "背街小巷": ("巷子里头", "背街小巷", "小巷子里"),
    "居民小区": ("我们小区", "小区里面", "小区门口"),
    "老旧小区": ("老小区", "老旧小区里", "老家属院"),
    "商业街区": ("商业街", "步行街上", "商圈那边"),
    "学校周边": ("学校门口", "小学旁边", "中学对面", "幼儿园外面"),
    "医院周边": ("医院门口", "医院旁边", "人民医院对面"),
    "交通枢纽": ("火车站那边", "汽车站门口", "高铁站外面", "枢纽站"),
    "轨道站点": ("轻轨站出口", "地铁站旁边", "轨道站门口"),
    "旅游景区": ("景区里面", "景点门口", "游客多的景区"),
    "农贸市场": ("菜市场", "农贸市场门口", "菜市里头"),
    "工业园区": ("工业园区", "厂区外面", "园区里"),
    "滨江路段": ("滨江路", "江边路上", "沿江那段路"),
    "城乡结合部": ("城乡结合部", "城边边上", "郊区那边"), "农村地区": ("村里头", "乡下", "农村"),
    "公园广场": ("公园里", "广场上", "公园门口"), "桥下空间": ("桥底下", "立交桥下面", "桥下"),
    "地下空间": ("地下车库", "地下室", "地下通道"),
    "高速沿线": ("高速路边", "高速公路旁边", "高速沿线"),
    "国有林场": ("林场里", "国有林场", "林场那边"),
    "自然保护区": ("保护区里", "自然保护区", "保护区边上"),
    "森林公园": ("森林公园", "森林公园里头"), "风景名胜区": ("风景区", "名胜区里面", "风景名胜区"),
    "城郊山林": ("城边上的山林", "郊外山上", "城郊林子里"),
    "农林交界带": ("田边林子", "地头和林子交界"),
    "坟山墓地": ("坟山上", "墓地那边", "祖坟山"),
    "高压线廊道": ("高压线下面", "电线塔旁边", "高压线走廊"),
    "景区步道": ("登山步道", "景区步道上", "爬山的步道"),
    "水库周边": ("水库边上", "水库旁边", "水库那里"),
    "河道沿岸": ("河边上", "河坝里", "沿河一带"),
    "山区公路沿线": ("山路边上", "盘山公路边", "山区公路旁"),
    "村庄周边": ("村子边上", "院子周围", "村口"), "陡坡地带": ("陡坡上", "坡坡上头", "陡坎边"),
    "矿区周边": ("矿山旁边", "矿区边上", "煤矿附近"),
    "库岸消落带": ("消落带", "库岸边上", "江边消落区"),
    "峡谷地带": ("峡谷里", "山沟沟里", "峡谷那边"), "高山地区": ("高山上", "山顶上", "高山那边"),
    "丘陵地区": ("丘陵上", "小山坡上", "丘陵那一片"),
    "林下种植区": ("林下种药材那里", "林子里种地的地方"),
}

_OPENERS = ("", "", "", "你好，", "喂，你好，", "喂，是12345吗？", "我要反映个情况，", "师傅你好，",
            "我想投诉一下，", "我是附近的居民，", "麻烦问一下，", "打扰了，",
            "你好你好，我说个事，",
            "我是这里的住户，", "你们管不管嘛，")
_DETAILS = ("", "", "已经好几天了。", "从昨天晚上就这样了。", "都没人管。", "影响我们出行。",
            "小娃儿上学都不方便。", "好多人都看到了。", "前几天就打过电话了，还是没处理。",
            "晚上根本睡不着。", "太危险了。", "老年人走路好怕哦。", "持续一个多星期了。",
            "刚刚才发现的。", "路过的人都在骂。", "今天早上开始的。", "搞得我们好恼火。")
_IRRELEVANT = ("今天天气好热哦。", "我刚下班回来。", "我家住这里十几年了。",
               "我昨天去观音桥逛街，人好多。",
               "上回打电话是个女的接的。", "我也不晓得该找哪个部门。", "我儿子叫我打这个电话的。",
               "你们这个电话好难打通哦。", "我之前在网上也发过帖子。", "我们物业也不管。",
               "社区说不归他们管。", "我在外地出差，是听邻居说的。", "最近下雨下得多。",
               "我老汉儿八十多岁了。", "我们这个小区是九几年修的。", "说实话我也不想麻烦你们。",
               "我刚才在吃饭。", "这个事情说来话长。", "前面那个路口新开了家超市。",
               "我上周去解放碑办事也看到类似的。", "你们辛苦了。", "我也是没得办法了才打的。")
_REQUESTS = ("", "", "麻烦你们赶紧派人来看看。", "希望尽快处理。", "请相关部门管一下。",
             "搞快点哦！",
             "能不能派个人来。", "请尽快解决。", "麻烦了，谢谢。", "你们快点来嘛！", "请给个答复。",
             "希望有关部门重视一下。")
_SECOND = ("另外，", "还有就是，", "顺便说一下，", "对了，", "还有个事，", "再一个，")
_PLACE_FORMS = ("{d}{s}", "{s}", "{s}这边", "在{ss}", "{ds}{ss}那边", "{ss}{cs}", "{cs}", "{d}",
                "{ds}", "{s}{cs}旁边", "{ss}附近", "{d}{ss}", "{c}")
_URGENT = ("快点来人！", "十万火急！", "救命啊！", "有人受伤了！", "好危险！", "要出人命了！")
_GRID_FORMS = ("网格员巡查发现：{p}{x}{q}，已拍照上报。", "{p}{x}{q}", "巡查上报：{x}{q}。{p}",
               "网格上报 {p} {x}{q}", "{x}{q}，位置{p}，请处置。")

# homophones and typing slips a hotline operator or a caller's phone makes (simplified → wrong)
_TYPOS = ("的地", "在再", "那哪", "已以", "做作", "漏露", "堵赌", "燃然", "灯登", "停听", "电店",
          "坏怀", "井景", "盖概", "水谁", "路录", "管馆", "气器", "车扯", "楼搂", "烟淹", "处出",
          "理里", "报抱", "区曲", "街接", "道到", "社设", "镇震", "村存")
# a few hundred everyday characters and their traditional forms (written here for this module)
_S2T = dict(zip(
    "这个里们说话时电车楼门开关问题发现处理气灯东为还没过对应应该给让从来后边还点买卖钱厂"
    "广场坏边垃圾圾烟区县镇乡街区号线铁轻轨桥隧涨涝积盖损伤费价饭馆烧烤扰声响灭饮员压",
    "這個裡們說話時電車樓門開關問題發現處理氣燈東為還沒過對應應該給讓從來後邊還點買賣錢廠"
    "廣場壞邊垃圾圾煙區縣鎮鄉街區號線鐵輕軌橋隧漲澇積蓋損傷費價飯館燒烤擾聲響滅飲員壓",
    strict=True))
_S2T_TABLE = str.maketrans(_S2T)

_KIND_RE = re.compile(r"^ET-(.+?)(?:-\d{2})?$")
_CTX_RE = re.compile(r"[（(]([^）)]+)[）)]\s*$")


def kind_of_type(type_id: str) -> str:
    """The kind of an event type id (``ET-WATER-LEAK-03`` → ``WATER-LEAK``)."""
    m = _KIND_RE.match(type_id)
    return m.group(1) if m else type_id


def context_of_name(name: str) -> str | None:
    """The context in a type name's brackets (``供水管网漏水（学校周边）`` → ``学校周边``)."""
    m = _CTX_RE.search(name)
    return m.group(1) if m else None


def to_traditional(text: str) -> str:
    """Traditional forms of the common characters in ``text`` (a small table, not OpenCC)."""
    return text.translate(_S2T_TABLE)


@functools.lru_cache(maxsize=65536)
def _short(name: str, level: str) -> str:
    """The everyday short form of a unit's name (渝中区 → 渝中, 解放碑街道 → 解放碑)."""
    for suffix in ("居民委员会", "村民委员会", "居委会", "村委会"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    for suffix in ("街道办事处", "街道", "自治县", "区", "县", "镇", "乡"):
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def describe_events(tables: dict[str, pa.Table], seed: int) -> None:
    """Add the ``description`` column to ``tables["event"]`` (in place in the dict).

    ``tables`` needs ``event``, ``event_type`` and ``admin_unit``. Only events from
    :data:`HUMAN_SOURCES` get a text; the others an empty value.
    """
    ev = tables["event"]
    types = tables["event_type"]
    units = tables["admin_unit"]
    rng = np.random.default_rng([int(seed) % 2**63, 18])
    n = ev.num_rows
    src = ev.column("source").to_numpy(zero_copy_only=False)
    human = np.isin(src, HUMAN_SOURCES)
    idx = np.flatnonzero(human)
    out: list[str | None] = [None] * n
    if idx.size == 0:
        tables["event"] = ev.append_column("description", pa.array(out, pa.string()))
        return

    # the type of each event: its kind's phrases and its context's phrases
    t_ids = types.column("type_id").to_pylist()
    t_names = types.column("name").to_pylist()
    t_pos = {t: i for i, t in enumerate(t_ids)}
    kinds = sorted(PHRASES)
    kind_pos = {k: i for i, k in enumerate(kinds)}
    phr = [PHRASES[k] for k in kinds] + [tuple(t_names)]  # unknown kinds: the type's name
    t_kind = np.array([kind_pos.get(kind_of_type(t), len(kinds)) for t in t_ids])
    ctxs = sorted(CONTEXT_PHRASES)
    ctx_pos = {c: i for i, c in enumerate(ctxs)}
    t_ctx = np.array([ctx_pos.get(context_of_name(nm) or "", -1) for nm in t_names])

    t_sev = [v if v is not None else 3 for v in (
        types.column("default_severity").to_pylist() if "default_severity" in types.column_names
        else [None] * len(t_ids))]

    # places: district, street and a community of the street, full and short
    u_code = units.column("code").to_pylist()
    u_name = units.column("name").to_pylist()
    u_level = units.column("level").to_pylist()
    u_parent = units.column("parent_code").to_pylist()
    name_of = dict(zip(u_code, u_name, strict=True))
    comms: dict[str, list[str]] = {}
    for nm, lv, p in zip(u_name, u_level, u_parent, strict=True):
        if lv == "community":
            comms.setdefault(p, []).append(nm)

    e_type = ev.column("type_id").to_pylist()
    e_dist = ev.column("district_code").to_pylist()
    e_street = ev.column("street_code").to_pylist()
    m = idx.size
    r = rng.random((m, 12)).tolist()
    pick = rng.integers(0, 1 << 30, size=(m, 12)).tolist()
    t_kind = t_kind.tolist()
    t_ctx = t_ctx.tolist()
    src = src.tolist()
    for j, i in enumerate(idx.tolist()):
        ti = t_pos.get(e_type[i])
        if ti is None:
            continue
        rr, pp = r[j], pick[j]
        k = t_kind[ti]
        pool = phr[k]
        problem = pool[pp[0] % len(pool)] if k < len(kinds) else pool[ti]
        s = src[i]
        # the place
        place = ""
        if rr[0] < 0.75:
            d = name_of.get(e_dist[i], "")
            st = name_of.get(e_street[i] or "", "")
            cl = comms.get(e_street[i] or "") or [""]
            c = cl[pp[1] % len(cl)]
            form = _PLACE_FORMS[pp[2] % len(_PLACE_FORMS)]
            if not st and "{s" in form:
                form = "{d}"
            place = form.format(d=d, ds=_short(d, "district"), s=st, ss=_short(st, "street"),
                                c=c, cs=_short(c, "community"))
            if rr[1] < 0.1 and len(place) > 2:  # a typo in the place name
                q = pp[3] % len(place)
                place = place[:q] + _TYPOS[pp[4] % len(_TYPOS)][1] + place[q + 1:]
        # the context
        ctx = ""
        ci = t_ctx[ti]
        if ci >= 0 and rr[2] < 0.85:
            cp = CONTEXT_PHRASES[ctxs[ci]]
            ctx = cp[pp[5] % len(cp)]
        if s == "hotline":
            parts = [_OPENERS[pp[6] % len(_OPENERS)]]
            if rr[3] < 0.3:  # irrelevant talk first
                parts.append(_IRRELEVANT[pp[7] % len(_IRRELEVANT)])
            if place:
                parts.append(place + ("，" if rr[4] < 0.5 else ""))
            parts.append(ctx + ("，" if ctx and rr[5] < 0.4 else ""))
            parts.append(problem + "。")
            parts.append(_DETAILS[pp[8] % len(_DETAILS)])
            if rr[6] < 0.18:  # a second problem of another kind
                other = phr[(k + 1 + pp[9] % (len(kinds) - 1)) % len(kinds)]
                parts.append(_SECOND[pp[9] % len(_SECOND)] + other[pp[10] % len(other)] + "。")
            if rr[7] < 0.25:
                parts.append(_IRRELEVANT[pp[10] % len(_IRRELEVANT)])
            if rr[8] < 0.06:  # a long complaint that goes round in circles
                reps = 2 + pp[11] % 40
                parts.append("".join(_IRRELEVANT[(pp[11] + q) % len(_IRRELEVANT)] + problem + "。"
                                     for q in range(reps)))
            if rr[9] < 0.1 and t_sev[ti] <= 2:
                parts.append(_URGENT[pp[11] % len(_URGENT)])
            parts.append(_REQUESTS[pp[11] % len(_REQUESTS)])
            text = "".join(parts)
            if rr[10] < 0.1:  # a very short call
                text = (ctx + problem) if rr[11] < 0.5 else problem
        else:  # grid worker, patrol, drone: a short note
            form = _GRID_FORMS[pp[6] % len(_GRID_FORMS)] if place else "{x}{q}"
            text = form.format(p=place, x=ctx, q=problem)
            if rr[6] < 0.1:
                other = phr[(k + 1 + pp[9] % (len(kinds) - 1)) % len(kinds)]
                text += "；另有" + other[pp[10] % len(other)]
        if rr[11] < 0.25 and rr[10] >= 0.1:  # homophones and slips
            for q in range(1 + pp[4] % 3):
                a, b = _TYPOS[(pp[q + 1] >> 3) % len(_TYPOS)]
                text = text.replace(a, b, 1)
        if rr[1] > 0.95:
            text = to_traditional(text)
        out[i] = text
    tables["event"] = ev.append_column("description", pa.array(out, pa.string()))
